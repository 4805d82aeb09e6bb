ALTER TABLE "cluster_keys" ALTER COLUMN "encrypted_private_key" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "cluster_keys" ADD COLUMN "custody" text DEFAULT 'file' NOT NULL;--> statement-breakpoint
ALTER TABLE "cluster_keys" ADD COLUMN "pkcs11_token_label" text;--> statement-breakpoint
ALTER TABLE "cluster_keys" ADD COLUMN "pkcs11_key_label" text;--> statement-breakpoint
ALTER TABLE "cluster_keys" ADD COLUMN "pkcs11_key_id" text;--> statement-breakpoint
ALTER TABLE "cluster_keys" ADD CONSTRAINT "cluster_keys_custody" CHECK (("cluster_keys"."custody" = 'file' AND "cluster_keys"."encrypted_private_key" IS NOT NULL AND "cluster_keys"."pkcs11_key_id" IS NULL) OR ("cluster_keys"."custody" = 'pkcs11' AND "cluster_keys"."encrypted_private_key" IS NULL AND "cluster_keys"."pkcs11_token_label" IS NOT NULL AND "cluster_keys"."pkcs11_key_label" IS NOT NULL AND "cluster_keys"."pkcs11_key_id" IS NOT NULL));