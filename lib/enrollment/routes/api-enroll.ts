// POST /api/enroll: online renewal. The signed request in, the SLC out (200), or 202 while it awaits an operator, or a
// refusal with its reason; the same request again gets the same answer. Rate-limited per client lane: the client's
// address plus, for a registered cluster's renewal, its GUID (unknown callers from one address share one lane).
import { z } from "zod";
import { translatorFor } from "@/lib/platform/i18n/messages";
import { MAX_VALIDITY_DAYS } from "../config";
import type { SubmitOutcome } from "../desk";
import { type AppContext, apiError, type ServiceDeps } from "../web/context";

const API_CONTENT_TYPES = new Set(["application/xml", "text/xml"]);
const validityDaysParam = z.coerce.number().int().min(1).max(MAX_VALIDITY_DAYS);

function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** English sentence for a refusal: the catalogue's wording for verifier reasons, the desk's detail for the rest. */
function refusalMessage(reason: string, detail: string): string {
  const en = translatorFor("en");
  const key = `reason.${reason}`;
  return en.has(key as Parameters<typeof en.has>[0]) ? `${en(key as Parameters<typeof en>[0])} (${detail})` : detail;
}

function respondToApi(c: AppContext, outcome: SubmitOutcome) {
  switch (outcome.kind) {
    case "issued":
      c.header("X-Submission-Id", outcome.submission.id);
      if (outcome.submission.slc) c.header("X-Slc-Serial", outcome.submission.slc.serial);
      if (outcome.replayed) c.header("X-Replayed", "true");
      c.header("Content-Type", "application/xml; charset=utf-8");
      return c.body(outcome.slcXml, 200);
    case "pending_approval":
      return c.json(
        {
          status: "pending_approval",
          submissionId: outcome.submission.id,
          requestId: outcome.submission.requestId,
          message: `Request ${outcome.submission.requestId} awaits approval by the enrollment service's operator; submit the same request again once it is approved to receive the certificate.`,
        },
        202,
      );
    case "rejected":
      return apiError(
        c,
        403,
        "rejected_by_operator",
        `The enrollment service's operator rejected request ${outcome.submission.requestId} (${outcome.submission.reason ?? "no reason given"}). Create a new request only after speaking to them.`,
      );
    case "busy":
      return apiError(c, 503, "busy", "The enrollment service is busy; try again shortly.", {
        "Retry-After": String(outcome.retryAfterSeconds),
      });
    case "refused":
      return apiError(c, outcome.status, outcome.reason, refusalMessage(outcome.reason, outcome.detail));
  }
}

export function apiEnroll(deps: ServiceDeps) {
  return async (c: AppContext) => {
    const event = { channel: "api", remoteAddress: c.var.client } as const;
    if (!API_CONTENT_TYPES.has(mediaType(c.req.header("content-type")))) {
      await deps.desk.record(deps.db, { ...event, outcome: "refused", status: 415, reason: "unsupported_media_type" });
      return apiError(c, 415, "unsupported_media_type", "Send the renewal request as XML with Content-Type: application/xml.");
    }
    const raw = c.req.query("validityDays");
    let validityDays = deps.config.validityDays;
    if (raw !== undefined) {
      const parsed = validityDaysParam.safeParse(raw.trim() === "" ? Number.NaN : raw);
      if (!parsed.success) {
        await deps.desk.record(deps.db, { ...event, outcome: "refused", status: 400, reason: "bad_validity" });
        return apiError(c, 400, "bad_validity", `validityDays must be a whole number of days between 1 and ${MAX_VALIDITY_DAYS}.`);
      }
      // A caller may ask for a shorter validity (the demo's first SLC), never a longer one than this service's policy.
      validityDays = Math.min(parsed.data, deps.config.validityDays);
    }
    let body: Uint8Array;
    try {
      body = new Uint8Array(await c.req.arrayBuffer());
    } catch {
      // The client stopped sending (or the request deadline cut a slow upload off): recorded, nothing read further.
      await deps.desk.record(deps.db, { ...event, outcome: "refused", status: 408, reason: "incomplete_body" });
      return apiError(c, 408, "incomplete_body", "The request body did not arrive completely in time. Send it again.", {
        Connection: "close",
      });
    }
    const lane = await deps.desk.classify(body, c.var.client);
    const wait = deps.limiter.take(`${c.var.client ?? "unknown"}|${lane.guid ?? "unknown"}`);
    if (wait > 0) {
      await deps.desk.record(deps.db, { ...event, outcome: "refused", status: 429, reason: "rate_limited" });
      return apiError(c, 429, "rate_limited", `Too many requests from this client; try again in ${wait} s.`, {
        "Retry-After": String(wait),
        Connection: "close",
      });
    }
    return respondToApi(c, await deps.desk.submit({ body, channel: "api", remoteAddress: c.var.client, validityDays, lane }));
  };
}
