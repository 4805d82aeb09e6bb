CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"channel" text NOT NULL,
	"outcome" text NOT NULL,
	"status" integer,
	"reason" text,
	"detail" text,
	"bytes" integer,
	"remote_address" text,
	"actor" text,
	"guid" text,
	"request_id" text,
	"submission_id" text,
	"slc_serial" text
);
--> statement-breakpoint
CREATE TABLE "issued_slcs" (
	"serial" text PRIMARY KEY NOT NULL,
	"submission_id" text NOT NULL,
	"guid" text NOT NULL,
	"key_fingerprint" text NOT NULL,
	"fingerprint" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_until" timestamp with time zone NOT NULL,
	"issuer_name" text NOT NULL,
	"slc_xml" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "operator_sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"operator" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "operators" (
	"name" text PRIMARY KEY NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registrations" (
	"guid" text PRIMARY KEY NOT NULL,
	"key_fingerprint" text NOT NULL,
	"server_name" text NOT NULL,
	"cluster_url" text NOT NULL,
	"state" text DEFAULT 'active' NOT NULL,
	"registered_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_by" text
);
--> statement-breakpoint
CREATE TABLE "submissions" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"content_sha256" text NOT NULL,
	"channel" text NOT NULL,
	"state" text NOT NULL,
	"reason" text,
	"guid" text NOT NULL,
	"server_name" text NOT NULL,
	"cluster_url" text NOT NULL,
	"key_fingerprint" text NOT NULL,
	"installed_slc_fingerprint" text,
	"validity_days" integer NOT NULL,
	"request_xml" text NOT NULL,
	"remote_address" text,
	"received_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" text,
	"slc_serial" text
);
--> statement-breakpoint
ALTER TABLE "issued_slcs" ADD CONSTRAINT "issued_slcs_submission_id_submissions_id_fk" FOREIGN KEY ("submission_id") REFERENCES "submissions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operator_sessions" ADD CONSTRAINT "operator_sessions_operator_operators_name_fk" FOREIGN KEY ("operator") REFERENCES "operators"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "events_at" ON "events" USING btree ("at");--> statement-breakpoint
CREATE UNIQUE INDEX "issued_slcs_submission" ON "issued_slcs" USING btree ("submission_id");--> statement-breakpoint
CREATE INDEX "issued_slcs_guid" ON "issued_slcs" USING btree ("guid","fingerprint");--> statement-breakpoint
CREATE UNIQUE INDEX "submissions_request_id" ON "submissions" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "submissions_content" ON "submissions" USING btree ("content_sha256");--> statement-breakpoint
CREATE INDEX "submissions_state" ON "submissions" USING btree ("state","received_at");