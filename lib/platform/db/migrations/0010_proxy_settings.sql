CREATE TABLE "proxy_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"address" text,
	"port" integer,
	"bypass_local" boolean DEFAULT false NOT NULL,
	"bypass" text[] DEFAULT '{}'::text[] NOT NULL,
	"auth_scheme" text,
	"user_name" text,
	"encrypted_password" text,
	"domain" text,
	"changed_by" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "proxy_settings_one_row" CHECK ("proxy_settings"."id" = 1)
);
