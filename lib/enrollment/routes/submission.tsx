/** @jsxImportSource hono/jsx */
// GET /submissions/:id: what became of a submitted request (issued with its identifiers, awaiting approval, rejected).
import { type AppContext, type ServiceDeps, SUBMISSION_ID } from "../web/context";
import { MessagePage, SubmissionPage } from "../web/pages";

export function submission(deps: ServiceDeps) {
  return async (c: AppContext) => {
    const { t, locale } = c.var;
    const id = c.req.param("id") ?? "";
    const found = SUBMISSION_ID.test(id) ? await deps.desk.find({ id }) : null;
    if (!found) return c.html(<MessagePage locale={locale} t={t} kind="not_found" />, 404);
    return c.html(<SubmissionPage locale={locale} t={t} submission={found.submission} replayed={c.req.query("replayed") === "1"} />);
  };
}
