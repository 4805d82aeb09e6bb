// POST /operator/sign-out: ends the session (from this origin only) and goes back to the sign-in page.
import { signOutOperator } from "../operators";
import { type AppContext, isSameOrigin, type ServiceDeps } from "../web/context";
import { clearSession, sessionToken } from "../web/operator-session";

export function operatorSignOut(deps: ServiceDeps) {
  return async (c: AppContext) => {
    if (isSameOrigin(c)) {
      await signOutOperator(deps.db, sessionToken(c));
      clearSession(c);
    }
    return c.redirect("/operator/sign-in", 303);
  };
}
