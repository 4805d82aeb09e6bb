DROP INDEX "submissions_request_id";--> statement-breakpoint
ALTER TABLE "submissions" ADD COLUMN "signed_sha256" text;--> statement-breakpoint
CREATE UNIQUE INDEX "submissions_request_guid_key" ON "submissions" USING btree ("request_id","guid","key_fingerprint");--> statement-breakpoint
CREATE INDEX "submissions_pending_source" ON "submissions" USING btree ("state","remote_address");--> statement-breakpoint
CREATE INDEX "submissions_request_id" ON "submissions" USING btree ("request_id");