// GET /root.pem: the root certificate as a download, for an operator to install as a console's trust anchor.
import { type AppContext, attachment, type ServiceDeps } from "../web/context";

export function rootPem(deps: ServiceDeps) {
  return (c: AppContext) => {
    c.header("Content-Type", "application/x-pem-file");
    c.header("Content-Disposition", attachment("enrollment-root.pem"));
    return c.body(deps.rootCertPem);
  };
}
