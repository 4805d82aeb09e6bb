// Typed message keys and locales for next-intl's t() everywhere (AppConfig augmentation).
import type { Locale } from "@/lib/platform/i18n/locales";
import type en from "./messages/en.json";

declare module "next-intl" {
  interface AppConfig {
    Locale: Locale;
    Messages: typeof en;
  }
}
