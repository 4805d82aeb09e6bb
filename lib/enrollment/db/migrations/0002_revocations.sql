CREATE TABLE "revocations" (
	"serial" text PRIMARY KEY NOT NULL,
	"guid" text NOT NULL,
	"reason" text NOT NULL,
	"revoked_at" timestamp with time zone NOT NULL,
	"revoked_by" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "revocations" ADD CONSTRAINT "revocations_serial_issued_slcs_serial_fk" FOREIGN KEY ("serial") REFERENCES "issued_slcs"("serial") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "revocations_revoked_at" ON "revocations" USING btree ("revoked_at");