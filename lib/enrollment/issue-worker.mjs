// Worker entry of the issuing pool (piscina): registers the TypeScript loader, then exposes the steps by name.
import { register } from "tsx/esm/api";

register();
const steps = await import("./issue-worker-main.ts");

export const verify = steps.verify;
export const sign = steps.sign;
