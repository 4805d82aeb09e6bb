// Worker-thread entry of the issuing pool: registers the TypeScript loader, then serves issueSlc jobs (see issue-pool.ts).
import { register } from "tsx/esm/api";

register();
await import("./issue-worker-main.ts");
