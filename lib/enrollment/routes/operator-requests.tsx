/** @jsxImportSource hono/jsx */
// GET /operator: the requests held for approval, with Approve and Reject, and the recent decisions.
import type { SubmissionView } from "../desk";
import { storedRekeyReplaces } from "../rekey-rule";
import { listIssuedSlcs } from "../revocations";
import type { AppContext, ServiceDeps } from "../web/context";
import { takeOperatorNotice } from "../web/operator-notice";
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
    // Shown once (post/redirect/get with a consumed cookie): a reload or the language switch does not repeat it.
    const notice = takeOperatorNotice(c);
    const { t } = c.var;
    const text =
      notice === null
        ? null
        : notice.kind === "bulkRejected"
          ? t("enrollmentOperator.bulkRejected", { count: notice.count })
          : notice.kind === "revoked"
            ? t("enrollmentOperator.revoked", { serial: notice.serial })
            : t(`enrollmentOperator.${notice.kind}`);
    return c.html(
      <OperatorRequestsPage
        locale={c.var.locale}
        t={t}
        operator={operator}
        pending={pending}
        recent={recent}
        rekeys={await heldRekeys(deps, pending)}
        issued={issued}
        notice={text ? { ok: true, text } : undefined}
      />,
    );
  };
}

/** What each held re-key names as the certificate it replaces, read from its stored (verified) request. */
export async function heldRekeys(
  deps: ServiceDeps,
  pending: SubmissionView[],
): Promise<Record<string, { serial: string; fingerprint: string }>> {
  const rekeys: Record<string, { serial: string; fingerprint: string }> = {};
  for (const s of pending) {
    if (s.reason !== "rekey") continue;
    const found = await deps.desk.find({ id: s.id });
    const replaces = found ? storedRekeyReplaces(found.requestXml) : null;
    if (replaces) rekeys[s.id] = replaces;
  }
  return rekeys;
}
