/** @jsxImportSource hono/jsx */
// The operator's routes: sign-in and sign-out, the held requests, and Approve / Reject. Every one checks the session on
// the server; every POST must come from this origin.
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { operatorForSession, operatorNameSchema, SESSION_HOURS, signInOperator, signOutOperator } from "../operators";
import { type AppContext, isSameOrigin, type ServiceDeps, SUBMISSION_ID } from "../web/context";
import { OperatorRequestsPage, OperatorSignInPage } from "../web/operator-pages";

// __Host-: sent only over HTTPS, only to this host, for every path; SameSite=Strict keeps it off cross-site posts.
const OPERATOR_COOKIE = "__Host-rms-operator";

const signInForm = z.object({ name: operatorNameSchema, password: z.string().min(1).max(1024) });

async function currentOperator(deps: ServiceDeps, c: AppContext): Promise<string | null> {
  return operatorForSession(deps.db, getCookie(c, OPERATOR_COOKIE), deps.clock());
}

export function operatorSignInPage(deps: ServiceDeps) {
  return async (c: AppContext) => {
    if (await currentOperator(deps, c)) return c.redirect("/operator", 303);
    return c.html(<OperatorSignInPage locale={c.var.locale} t={c.var.t} />);
  };
}

export function operatorSignIn(deps: ServiceDeps) {
  return async (c: AppContext) => {
    const { t, locale } = c.var;
    if (!isSameOrigin(c)) return c.html(<OperatorSignInPage locale={locale} t={t} error={t("enrollment.errorCrossOrigin")} />, 403);
    const form = signInForm.safeParse(await c.req.parseBody().catch(() => ({})));
    if (!form.success) {
      return c.html(<OperatorSignInPage locale={locale} t={t} error={t("enrollmentOperator.signInIncomplete")} />, 400);
    }
    const token = await signInOperator(deps.db, form.data.name, form.data.password, deps.clock());
    if (!token) {
      await deps.desk.record(deps.db, {
        channel: "operator",
        outcome: "refused",
        status: 401,
        reason: "operator_sign_in_failed",
        actor: form.data.name,
        remoteAddress: c.var.client,
      });
      return c.html(<OperatorSignInPage locale={locale} t={t} error={t("enrollmentOperator.signInWrong")} name={form.data.name} />, 401);
    }
    setCookie(c, OPERATOR_COOKIE, token, { path: "/", secure: true, httpOnly: true, sameSite: "Strict", maxAge: SESSION_HOURS * 3600 });
    return c.redirect("/operator", 303);
  };
}

export function operatorSignOut(deps: ServiceDeps) {
  return async (c: AppContext) => {
    if (isSameOrigin(c)) {
      await signOutOperator(deps.db, getCookie(c, OPERATOR_COOKIE));
      deleteCookie(c, OPERATOR_COOKIE, { path: "/", secure: true });
    }
    return c.redirect("/operator/sign-in", 303);
  };
}

export function operatorRequests(deps: ServiceDeps) {
  return async (c: AppContext) => {
    const operator = await currentOperator(deps, c);
    if (!operator) return c.redirect("/operator/sign-in", 303);
    const [pending, recent] = await Promise.all([
      deps.desk.list({ state: "pending_approval" }),
      deps.desk.list({ limit: 20 }).then((all) => all.filter((s) => s.state !== "pending_approval")),
    ]);
    const notice = c.req.query("done");
    const { t } = c.var;
    const text = notice === "approved" ? t("enrollmentOperator.approved") : notice === "rejected" ? t("enrollmentOperator.rejected") : null;
    return c.html(
      <OperatorRequestsPage
        locale={c.var.locale}
        t={t}
        operator={operator}
        pending={pending}
        recent={recent}
        notice={text ? { ok: true, text } : undefined}
      />,
    );
  };
}

export function operatorDecide(deps: ServiceDeps) {
  return async (c: AppContext) => {
    const operator = await currentOperator(deps, c);
    if (!operator || !isSameOrigin(c)) return c.redirect("/operator/sign-in", 303);
    const id = c.req.param("id") ?? "";
    const decision = c.req.param("decision");
    if (!SUBMISSION_ID.test(id) || (decision !== "approve" && decision !== "reject")) return c.notFound();
    const result =
      decision === "approve"
        ? await deps.desk.approve(id, operator, "operator")
        : await deps.desk.reject(id, operator, "operator", "rejected by operator");
    if (result.ok) return c.redirect(`/operator?done=${decision === "approve" ? "approved" : "rejected"}`, 303);
    const { t } = c.var;
    const [pending, recent] = await Promise.all([deps.desk.list({ state: "pending_approval" }), deps.desk.list({ limit: 20 })]);
    return c.html(
      <OperatorRequestsPage
        locale={c.var.locale}
        t={t}
        operator={operator}
        pending={pending}
        recent={recent.filter((s) => s.state !== "pending_approval")}
        notice={{ ok: false, text: result.detail }}
      />,
      result.reason === "not_found" ? 404 : 409,
    );
  };
}
