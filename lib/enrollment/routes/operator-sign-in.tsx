/** @jsxImportSource hono/jsx */
// GET and POST /operator/sign-in: the operator's own sign-in (rate-limited by the app, throttled per name and source
// like the console's sign-in; a failure or a throttled attempt is recorded).
import { z } from "zod";
import { operatorNameSchema, signInOperator } from "../operators";
import { type AppContext, isSameOrigin, type ServiceDeps } from "../web/context";
import { OperatorSignInPage } from "../web/operator-pages";
import { currentOperator, setSession } from "../web/operator-session";

const signInForm = z.object({ name: operatorNameSchema, password: z.string().min(1).max(1024) });

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
    const now = deps.clock();
    const throttle = deps.operatorThrottle.reserve(form.data.name, c.var.client, now.getTime());
    if (!throttle.allowed) {
      await deps.desk.record(deps.db, {
        channel: "operator",
        outcome: "refused",
        status: 429,
        reason: "operator_sign_in_throttled",
        actor: form.data.name,
        remoteAddress: c.var.client,
      });
      c.header("Retry-After", String(throttle.retryAfterSeconds));
      const error = t("enrollmentOperator.signInThrottled", { seconds: throttle.retryAfterSeconds });
      return c.html(<OperatorSignInPage locale={locale} t={t} error={error} name={form.data.name} />, 429);
    }
    const token = await signInOperator(deps.db, form.data.name, form.data.password, now);
    if (token) deps.operatorThrottle.release(form.data.name, c.var.client);
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
    setSession(c, token);
    return c.redirect("/operator", 303);
  };
}
