ALTER TABLE "clusters" ADD COLUMN "removed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "removed_by" text;--> statement-breakpoint
-- The first run used to store "<database> on <server>" (English inside Swedish pages); the server has its own field.
UPDATE "clusters" SET "config_database" = regexp_replace("config_database", ' on [A-Za-z0-9-]+$', '') WHERE "config_database" ~ '^DRMS_Config_[A-Za-z0-9_]+ on [A-Za-z0-9-]+$';
