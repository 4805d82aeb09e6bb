CREATE TABLE "rekeys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cluster_id" uuid NOT NULL,
	"key_id" uuid,
	"new_key_fingerprint" text NOT NULL,
	"old_key_fingerprint" text NOT NULL,
	"replaces_slc_serial" text NOT NULL,
	"replaces_slc_fingerprint" text NOT NULL,
	"request_id" uuid NOT NULL,
	"document" text NOT NULL,
	"fingerprint" text NOT NULL,
	"status" text NOT NULL,
	"submission_id" text,
	"exported_at" timestamp with time zone,
	"started_by" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"closed_by" text,
	"closed_at" timestamp with time zone,
	CONSTRAINT "rekeys_request_id_unique" UNIQUE("request_id")
);
--> statement-breakpoint
ALTER TABLE "rekeys" ADD CONSTRAINT "rekeys_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rekeys" ADD CONSTRAINT "rekeys_key_id_cluster_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "cluster_keys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "rekeys_one_pending" ON "rekeys" USING btree ("cluster_id") WHERE "rekeys"."status" = 'pending';