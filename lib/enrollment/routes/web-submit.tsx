/** @jsxImportSource hono/jsx */
// POST /submissions: a request file uploaded on the web site. Issued or held: off to its page (303); refused: the
// start page again with the reason; busy: 503 with Retry-After.
import type { AppContext, ServiceDeps } from "../web/context";
import { isSameOrigin } from "../web/context";
import { HomePage, MessagePage, type PageError } from "../web/pages";

export function webSubmit(deps: ServiceDeps) {
  return async (c: AppContext) => {
    const { t, locale } = c.var;
    const event = { channel: "web", remoteAddress: c.var.client } as const;
    const refuse = async (status: 400 | 403 | 409 | 413 | 415 | 422 | 429 | 503, reason: string, error: PageError, record = true) => {
      if (record) await deps.desk.record(deps.db, { ...event, outcome: "refused", status, reason });
      return c.html(<HomePage locale={locale} t={t} rootFingerprint={deps.rootFingerprint} error={error} />, status);
    };
    if (!isSameOrigin(c)) return refuse(403, "cross_origin", { message: t("enrollment.errorCrossOrigin") });
    const contentType = c.req.header("content-type") ?? "";
    if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
      return refuse(415, "not_multipart", { message: t("enrollment.errorNotMultipart") });
    }
    let file: File | null = null;
    try {
      const form = await c.req.parseBody();
      const entry = form.request;
      if (entry instanceof File && entry.size > 0) file = entry;
    } catch (error) {
      // An upload cut off by the request deadline or by the client is recorded as such, not as a malformed form.
      if (c.req.raw.signal.aborted || (error instanceof Error && /aborted|terminated/i.test(error.message))) {
        await deps.desk.record(deps.db, { ...event, outcome: "refused", status: 408, reason: "incomplete_body" });
        c.header("Connection", "close");
        return c.html(<MessagePage locale={locale} t={t} kind="server_error" />, 408);
      }
      return refuse(400, "malformed_form", { message: t("enrollment.errorNotMultipart") });
    }
    if (file === null) return refuse(400, "no_file", { message: t("enrollment.errorNoFile") });

    const body = new Uint8Array(await file.arrayBuffer());
    const outcome = await deps.desk.submit({ body, channel: "web", remoteAddress: c.var.client, validityDays: deps.config.validityDays });
    switch (outcome.kind) {
      case "issued":
      case "pending_approval":
      case "rejected":
        // "Already answered" only when there was an answer: a held request is simply still held.
        return c.redirect(
          `/submissions/${outcome.submission.id}${outcome.replayed && outcome.kind !== "pending_approval" ? "?replayed=1" : ""}`,
          303,
        );
      case "busy":
        c.header("Retry-After", String(outcome.retryAfterSeconds));
        return c.html(<MessagePage locale={locale} t={t} kind="busy" retryAfterSeconds={outcome.retryAfterSeconds} />, 503);
      case "refused": {
        const key = `reason.${outcome.reason}` as Parameters<typeof t>[0];
        const message = t.has(key) ? t(key) : outcome.detail;
        return refuse(outcome.status, outcome.reason, { message, detail: outcome.detail }, false);
      }
    }
  };
}
