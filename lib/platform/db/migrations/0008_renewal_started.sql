ALTER TABLE "clusters" ADD COLUMN "renewal_started_by" text;--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "renewal_started_at" timestamp with time zone;