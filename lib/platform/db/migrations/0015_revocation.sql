CREATE TABLE "revocation_lists" (
	"id" text PRIMARY KEY NOT NULL,
	"state" text NOT NULL,
	"detail" text,
	"checked_at" timestamp with time zone NOT NULL,
	"issuer" text,
	"this_update" timestamp with time zone,
	"next_update" timestamp with time zone,
	"crl_number" text,
	"entries" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "revocation_notices" (
	"certificate_id" uuid PRIMARY KEY NOT NULL,
	"cluster_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"noticed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "revocation_notices" ADD CONSTRAINT "revocation_notices_certificate_id_certificates_id_fk" FOREIGN KEY ("certificate_id") REFERENCES "certificates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "revocation_notices" ADD CONSTRAINT "revocation_notices_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE cascade ON UPDATE no action;