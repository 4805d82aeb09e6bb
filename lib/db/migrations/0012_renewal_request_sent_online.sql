ALTER TABLE "renewal_requests" ADD COLUMN "sent_online" boolean DEFAULT false NOT NULL;--> statement-breakpoint
UPDATE "renewal_requests" SET "sent_online" = true WHERE "held_for_approval";
