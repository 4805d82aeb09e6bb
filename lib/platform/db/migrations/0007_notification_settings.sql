CREATE TABLE "notification_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"webhook_url" text,
	"encrypted_webhook_secret" text,
	"smtp_host" text,
	"smtp_port" integer DEFAULT 587 NOT NULL,
	"smtp_user" text,
	"encrypted_smtp_password" text,
	"smtp_ca_pem" text,
	"email_from" text,
	"email_to" text[] DEFAULT '{}'::text[] NOT NULL,
	"changed_by" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "notification_settings_one_row" CHECK ("notification_settings"."id" = 1)
);
