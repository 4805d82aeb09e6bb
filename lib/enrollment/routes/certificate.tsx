/** @jsxImportSource hono/jsx */
// GET /submissions/:id/certificate: the issued SLC as a download (404 until it is issued).
import { slcFileName } from "@/lib/core/certificates/slc";
import { type AppContext, attachment, type ServiceDeps, SUBMISSION_ID } from "../web/context";
import { MessagePage } from "../web/pages";

export function certificate(deps: ServiceDeps) {
  return async (c: AppContext) => {
    const id = c.req.param("id") ?? "";
    const found = SUBMISSION_ID.test(id) ? await deps.desk.find({ id }) : null;
    if (!found?.slcXml) return c.html(<MessagePage locale={c.var.locale} t={c.var.t} kind="not_found" />, 404);
    c.header("Content-Type", "application/xml; charset=utf-8");
    c.header("Content-Disposition", attachment(slcFileName(found.submission.serverName)));
    return c.body(found.slcXml, 200);
  };
}
