// GET /api/renewal-info/:guid: when this service would like the cluster to renew (in the spirit of ACME ARI,
// RFC 9773): a suggested window over the newest SLC it issued for that GUID, from two thirds of its validity, a week
// long (ending no later than a day before expiry). 404 for a GUID it never issued to, 400 for a malformed path.
// Only the window: it follows from the SLC's own validity, which the cluster hands to every RMS client anyway; the
// serial, the key and who asked are not told (the console reads nothing else).
import { desc, eq } from "drizzle-orm";
import { issuedSlcs, registrations } from "../db/schema";
import { type AppContext, apiError, type ServiceDeps } from "../web/context";

const GUID = /^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The window for an SLC valid from `validFrom` to `validUntil`. */
function suggestedWindow(validFrom: Date, validUntil: Date): { start: Date; end: Date } {
  const lifetime = validUntil.getTime() - validFrom.getTime();
  const start = new Date(validFrom.getTime() + Math.floor((lifetime * 2) / 3));
  const end = new Date(Math.min(start.getTime() + 7 * DAY_MS, validUntil.getTime() - DAY_MS));
  return { start, end: end.getTime() > start.getTime() ? end : new Date(start.getTime() + 60 * 60 * 1000) };
}

export function apiRenewalInfo(deps: ServiceDeps) {
  return async (c: AppContext) => {
    let guid: string;
    try {
      guid = decodeURIComponent(c.req.param("guid") ?? "");
    } catch {
      guid = "";
    }
    if (!GUID.test(guid)) return apiError(c, 400, "bad_guid", "Give the cluster GUID in braces, e.g. /api/renewal-info/{6F1C…}.");
    const [registration] = await deps.db.select().from(registrations).where(eq(registrations.guid, guid));
    const [latest] = await deps.db
      .select({ validFrom: issuedSlcs.validFrom, validUntil: issuedSlcs.validUntil })
      .from(issuedSlcs)
      .where(eq(issuedSlcs.guid, guid))
      .orderBy(desc(issuedSlcs.issuedAt))
      .limit(1);
    if (!latest || registration?.state === "revoked") {
      return apiError(c, 404, "not_found", "This service has issued no current certificate for that GUID.");
    }
    const window = suggestedWindow(latest.validFrom, latest.validUntil);
    c.header("Retry-After", String(6 * 60 * 60));
    return c.json({ suggestedWindow: { start: window.start.toISOString(), end: window.end.toISOString() } });
  };
}
