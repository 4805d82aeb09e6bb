// GET /healthz: liveness, with the root fingerprint so a monitor can tell which CA answers.
import type { AppContext, ServiceDeps } from "../web/context";

export function healthz(deps: ServiceDeps) {
  return (c: AppContext) => c.json({ status: "ok", rootFingerprint: deps.rootFingerprint });
}
