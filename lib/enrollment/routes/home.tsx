/** @jsxImportSource hono/jsx */
// GET /: the offline web site's start page (submit a request file, look a request up, trust the root).

import type { AppContext, ServiceDeps } from "../web/context";
import { HomePage } from "../web/pages";

export function home(deps: ServiceDeps) {
  return (c: AppContext) => c.html(<HomePage locale={c.var.locale} t={c.var.t} rootFingerprint={deps.rootFingerprint} />);
}
