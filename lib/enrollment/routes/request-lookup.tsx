/** @jsxImportSource hono/jsx */
// GET /requests?requestId=…: come back for a request by its ID (shown on the console and on the held request's page).
import { type AppContext, REQUEST_ID, type ServiceDeps } from "../web/context";
import { HomePage, MessagePage } from "../web/pages";

export function requestLookup(deps: ServiceDeps) {
  return async (c: AppContext) => {
    const { t, locale } = c.var;
    const requestId = (c.req.query("requestId") ?? "").trim();
    if (!REQUEST_ID.test(requestId)) {
      return c.html(
        <HomePage locale={locale} t={t} rootFingerprint={deps.rootFingerprint} lookupError={t("enrollment.lookupInvalid")} />,
        400,
      );
    }
    const found = await deps.desk.find({ requestId: requestId.toLowerCase() });
    if (!found) return c.html(<MessagePage locale={locale} t={t} kind="request_not_found" />, 404);
    return c.redirect(`/submissions/${found.submission.id}`, 303);
  };
}
