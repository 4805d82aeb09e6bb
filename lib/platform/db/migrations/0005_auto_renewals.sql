CREATE TABLE "auto_renewals" (
	"cluster_id" uuid PRIMARY KEY NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"changed_by" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"planned_for" text,
	"window_start" timestamp with time zone,
	"window_end" timestamp with time zone,
	"window_source" text,
	"next_attempt_at" timestamp with time zone,
	"failures" integer DEFAULT 0 NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"last_outcome" text,
	"last_detail" text
);
--> statement-breakpoint
ALTER TABLE "auto_renewals" ADD CONSTRAINT "auto_renewals_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE cascade ON UPDATE no action;