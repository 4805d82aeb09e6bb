/** @jsxImportSource hono/jsx */
// GET /operator: the requests held for approval, with Approve and Reject, and the recent decisions.
import { listIssuedSlcs } from "../revocations";
import type { AppContext, ServiceDeps } from "../web/context";
import { OperatorRequestsPage } from "../web/operator-pages";
import { currentOperator } from "../web/operator-session";

export function operatorRequests(deps: ServiceDeps) {
  return async (c: AppContext) => {
    const operator = await currentOperator(deps, c);
    if (!operator) return c.redirect("/operator/sign-in", 303);
    const [pending, recent, issued] = await Promise.all([
      deps.desk.list({ state: "pending_approval" }),
      deps.desk.list({ limit: 20 }).then((all) => all.filter((s) => s.state !== "pending_approval")),
      listIssuedSlcs(deps.db),
    ]);
    const notice = c.req.query("done");
    const { t } = c.var;
    const bulk = /^[0-9]{1,6}$/.exec(c.req.query("rejected") ?? "")?.[0];
    const revoked = /^[0-9A-F]{32}$/.exec(c.req.query("revoked") ?? "")?.[0];
    const text =
      revoked !== undefined
        ? t("enrollmentOperator.revoked", { serial: revoked })
        : notice === "approved"
          ? t("enrollmentOperator.approved")
          : notice === "rejected"
            ? t("enrollmentOperator.rejected")
            : bulk !== undefined
              ? t("enrollmentOperator.bulkRejected", { count: Number(bulk) })
              : null;
    return c.html(
      <OperatorRequestsPage
        locale={c.var.locale}
        t={t}
        operator={operator}
        pending={pending}
        recent={recent}
        issued={issued}
        notice={text ? { ok: true, text } : undefined}
      />,
    );
  };
}
