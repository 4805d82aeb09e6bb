// POST /operator/slcs/:serial/revoke: the operator revokes an issued SLC with an RFC 5280 reason (session and origin
// checked; the reason validated). Recorded once, audited as a service event, listed on the next CRL.
import { z } from "zod";
import { REVOCATION_REASONS, revokeSlc, SLC_SERIAL } from "../revocations";
import { type AppContext, isSameOrigin, type ServiceDeps } from "../web/context";
import { setOperatorNotice } from "../web/operator-notice";
import { currentOperator } from "../web/operator-session";
import { page } from "./operator-decide";

const revokeForm = z.object({ reason: z.enum(REVOCATION_REASONS) });

export function operatorRevoke(deps: ServiceDeps) {
  return async (c: AppContext) => {
    const operator = await currentOperator(deps, c);
    if (!operator || !isSameOrigin(c)) return c.redirect("/operator/sign-in", 303);
    const serial = c.req.param("serial") ?? "";
    if (!SLC_SERIAL.test(serial)) return c.notFound();
    const parsed = revokeForm.safeParse(await c.req.parseBody().catch(() => ({})));
    if (!parsed.success) return page(deps, c, operator, { ok: false, text: c.var.t("enrollmentOperator.revokeReasonMissing") }, 400);
    const result = await revokeSlc(deps.handle, {
      serial,
      reason: parsed.data.reason,
      actor: operator,
      channel: "operator",
      now: deps.clock(),
    });
    if (result.ok) {
      setOperatorNotice(c, { kind: "revoked", serial: result.serial });
      return c.redirect("/operator", 303);
    }
    return page(deps, c, operator, { ok: false, text: result.detail }, result.code === "not_found" ? 404 : 409);
  };
}
