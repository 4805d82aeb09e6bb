// What the e2e stack (tests/support/e2e-stack.ts) tells the walkthroughs: URLs, data folder, processes, test accounts.
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * `npm test` runs the walkthroughs in two parts side by side (scripts/test.sh, playwright.config.ts), each against a
 * stack of its own: `E2E_PART=1` or `2` picks the part, its ports and its folder under test-results/. Unset, one run
 * takes every walkthrough, on the first part's ports.
 */
export const E2E_PART = z
  .enum(["1", "2"], { error: "E2E_PART must be 1 or 2 (or unset for every walkthrough in one run)" })
  .optional()
  .parse(process.env.E2E_PART || undefined);

const consolePort = Number(process.env.E2E_CONSOLE_PORT ?? (E2E_PART === "2" ? 3200 : 3100));
export const E2E_PORTS = {
  console: consolePort,
  enrollment: Number(process.env.E2E_ENROLLMENT_PORT ?? consolePort + 1),
  /** nginx in front of the console (e2e/reverse-proxy.spec.ts): the console's RMS_PUBLIC_URL port. */
  proxy: Number(process.env.E2E_PROXY_PORT ?? consolePort + 43),
};

/** This part's files: the stack's state, the webhook receiver's log, the saved sign-ins. */
export const E2E_RESULTS = path.join(process.cwd(), "test-results", E2E_PART ? `e2e-part-${E2E_PART}` : "e2e");

/** The console's public name in the reverse-proxy walkthrough (Chromium maps it to 127.0.0.1), and its public URL. */
export const E2E_PUBLIC_NAME = "rms.test";
export const E2E_PUBLIC_URL = `https://${E2E_PUBLIC_NAME}:${E2E_PORTS.proxy}`;
/** The address nginx connects to the console from: a trusted proxy that is not the browser (127.0.0.1). */
export const E2E_PROXY_ADDRESS = "127.0.0.2";

const STATE_FILE = path.join(E2E_RESULTS, "e2e-stack.json");
/** Where the e2e stack's webhook receiver appends what the console sent (one JSON line per POST). */
export const WEBHOOK_FILE = path.join(E2E_RESULTS, "e2e-webhook.jsonl");
/** The seeded web site without RMS (tests/support/e2e-stack.ts): the Global Administration walkthrough provisions and removes it. */
export const E2E_UNPROVISIONED_WEB_SITE = "Contoso Intranet";
/**
 * Seeded web sites without RMS for the walkthroughs that change a cluster for good (re-key, revocation): each provisions
 * and enrolls its own cluster there (e2e/support/own-cluster.ts), so the demo cluster the others renew is left alone.
 */
export const E2E_OWN_CLUSTER_WEB_SITES = { rekey: "Fabrikam Web Site", revocation: "Northwind Web Site" } as const;
export const WEBHOOK_SECRET = "e2e-webhook-secret-0123456789";

const account = z.object({ userName: z.string(), password: z.string() });
const e2eStateSchema = z.object({
  dataDir: z.string(),
  consoleUrl: z.string(),
  enrollmentUrl: z.string(),
  consolePid: z.number().int(),
  enrollmentPid: z.number().int(),
  admin: account,
  user: account,
  /** How the stack started the console (tests/support/processes.ts ConsoleOptions), for a walkthrough that restarts it. */
  consoleOptions: z.record(z.string(), z.unknown()).optional(),
});
export type E2eState = z.infer<typeof e2eStateSchema>;

export function readE2eState(): E2eState {
  return e2eStateSchema.parse(JSON.parse(fs.readFileSync(STATE_FILE, "utf8")));
}

export function writeE2eState(state: E2eState): void {
  fs.mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  fs.writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
}
