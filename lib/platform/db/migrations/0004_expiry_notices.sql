CREATE TABLE "expiry_notices" (
	"certificate_id" uuid NOT NULL,
	"threshold" text NOT NULL,
	"cluster_id" uuid NOT NULL,
	"noticed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "expiry_notices_certificate_id_threshold_pk" PRIMARY KEY("certificate_id","threshold")
);
--> statement-breakpoint
ALTER TABLE "expiry_notices" ADD CONSTRAINT "expiry_notices_certificate_id_certificates_id_fk" FOREIGN KEY ("certificate_id") REFERENCES "certificates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "expiry_notices" ADD CONSTRAINT "expiry_notices_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE cascade ON UPDATE no action;