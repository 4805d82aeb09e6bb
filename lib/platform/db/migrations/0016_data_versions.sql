CREATE TABLE "data_versions" (
	"name" text PRIMARY KEY NOT NULL,
	"version" uuid DEFAULT gen_random_uuid() NOT NULL
);
--> statement-breakpoint
INSERT INTO "data_versions" ("name") VALUES ('web_sites');
--> statement-breakpoint
CREATE OR REPLACE FUNCTION data_versions_web_sites_changed() RETURNS trigger AS $$
BEGIN
  UPDATE data_versions SET version = gen_random_uuid() WHERE name = 'web_sites';
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER web_sites_version AFTER INSERT OR UPDATE OR DELETE ON web_sites
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_versions_web_sites_changed();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER clusters_version AFTER UPDATE OF cluster_url ON clusters
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_versions_web_sites_changed();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER certificates_version AFTER INSERT OR UPDATE OR DELETE ON certificates
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_versions_web_sites_changed();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER revocation_lists_version AFTER INSERT OR UPDATE OR DELETE ON revocation_lists
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_versions_web_sites_changed();
--> statement-breakpoint
CREATE TRIGGER web_sites_version_truncate AFTER TRUNCATE ON web_sites
  FOR EACH STATEMENT EXECUTE FUNCTION data_versions_web_sites_changed();
--> statement-breakpoint
CREATE TRIGGER clusters_version_truncate AFTER TRUNCATE ON clusters
  FOR EACH STATEMENT EXECUTE FUNCTION data_versions_web_sites_changed();
--> statement-breakpoint
CREATE TRIGGER certificates_version_truncate AFTER TRUNCATE ON certificates
  FOR EACH STATEMENT EXECUTE FUNCTION data_versions_web_sites_changed();
--> statement-breakpoint
CREATE TRIGGER revocation_lists_version_truncate AFTER TRUNCATE ON revocation_lists
  FOR EACH STATEMENT EXECUTE FUNCTION data_versions_web_sites_changed();
