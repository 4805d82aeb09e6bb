// next-intl's per-request configuration (no locale in the URL): the locale comes from the one negotiator.
import { getRequestConfig } from "next-intl/server";
import { messagesFor } from "./messages";
import { negotiateRequestLocale } from "./server";

export default getRequestConfig(async () => {
  const locale = await negotiateRequestLocale();
  return { locale, messages: messagesFor(locale), timeZone: "UTC" };
});
