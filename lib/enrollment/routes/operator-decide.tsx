/** @jsxImportSource hono/jsx */
// POST /operator/submissions/:id/approve|reject: an operator's decision on a held request (session and origin checked).
import { z } from "zod";
import { listIssuedSlcs } from "../revocations";
import { type AppContext, isSameOrigin, type ServiceDeps, SUBMISSION_ID } from "../web/context";
import { setOperatorNotice } from "../web/operator-notice";
import { OperatorRequestsPage } from "../web/operator-pages";
import { currentOperator } from "../web/operator-session";
import { heldRekeys } from "./operator-requests";

const rejectForm = z.object({ reason: z.string().trim().min(1).max(500) });
const bulkForm = rejectForm.extend({
  source: z
    .string()
    .trim()
    .max(64)
    .regex(/^[0-9A-Fa-f.:]*$/)
    .optional(),
});

/** POST /operator/reject-pending: rejects every held request, or every one from one address (a flood's answer). */
export function operatorRejectPending(deps: ServiceDeps) {
  return async (c: AppContext) => {
    const operator = await currentOperator(deps, c);
    if (!operator || !isSameOrigin(c)) return c.redirect("/operator/sign-in", 303);
    const parsed = bulkForm.safeParse(await c.req.parseBody().catch(() => ({})));
    if (!parsed.success) return page(deps, c, operator, { ok: false, text: c.var.t("enrollmentOperator.rejectReasonMissing") }, 400);
    const source = parsed.data.source ? parsed.data.source : undefined;
    const { rejected } = await deps.desk.rejectPending({ source }, operator, "operator", parsed.data.reason);
    setOperatorNotice(c, { kind: "bulkRejected", count: rejected });
    return c.redirect("/operator", 303);
  };
}

export function operatorDecide(deps: ServiceDeps) {
  return async (c: AppContext) => {
    const operator = await currentOperator(deps, c);
    if (!operator || !isSameOrigin(c)) return c.redirect("/operator/sign-in", 303);
    const id = c.req.param("id") ?? "";
    const decision = c.req.param("decision");
    if (!SUBMISSION_ID.test(id) || (decision !== "approve" && decision !== "reject")) return c.notFound();
    const { t } = c.var;
    let reason = "";
    if (decision === "reject") {
      const form = await c.req.parseBody().catch(() => ({}));
      const parsed = rejectForm.safeParse(form);
      if (!parsed.success) return page(deps, c, operator, { ok: false, text: t("enrollmentOperator.rejectReasonMissing") }, 400);
      reason = parsed.data.reason;
    }
    const result =
      decision === "approve" ? await deps.desk.approve(id, operator, "operator") : await deps.desk.reject(id, operator, "operator", reason);
    if (result.ok) {
      setOperatorNotice(c, { kind: decision === "approve" ? "approved" : "rejected" });
      return c.redirect("/operator", 303);
    }
    return page(deps, c, operator, { ok: false, text: result.detail }, result.reason === "not_found" ? 404 : 409);
  };
}

export async function page(
  deps: ServiceDeps,
  c: AppContext,
  operator: string,
  notice: { ok: boolean; text: string },
  status: 400 | 404 | 409,
) {
  const [pending, recent, issued] = await Promise.all([
    deps.desk.list({ state: "pending_approval" }),
    deps.desk.list({ limit: 20 }),
    listIssuedSlcs(deps.db),
  ]);
  return c.html(
    <OperatorRequestsPage
      locale={c.var.locale}
      t={c.var.t}
      operator={operator}
      pending={pending}
      recent={recent.filter((s) => s.state !== "pending_approval")}
      rekeys={await heldRekeys(deps, pending)}
      issued={issued}
      notice={notice}
    />,
    status,
  );
}
