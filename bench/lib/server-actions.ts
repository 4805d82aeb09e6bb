// The benchmark's raw server-action client: it measures the console's action path without a browser in the loop, so it
// speaks the action wire format of the production build (ids from its manifest). The test suite never does this.
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./processes";

export type ActionName = "renewOnlineAction" | "importStepAction" | "cancelRequestAction" | "signInAction" | "signOutAction";

/** Server action ids of the production build, by exported name. */
function actionId(name: ActionName): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, ".next", "server", "server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { exportedName: string }>;
  };
  const id = Object.entries(manifest.node).find(([, v]) => v.exportedName === name)?.[0];
  if (!id) throw new Error(`no server action ${name} in the build`);
  return id;
}

export interface ActionResponse {
  status: number;
  text: string;
  contentType: string;
}

/**
 * Calls a (prevResult, FormData) server action by id with the body React's encodeReply produces for those
 * arguments in a browser (checked against a Chromium capture in e2e/attacks.spec.ts): multipart, field "0" holds
 * the argument array with the FormData as "$K1", and the FormData's own fields are prefixed "_1_". The first argument
 * is `{}`, as the Renew dialog passes to next-safe-action's state actions.
 */
export async function callAction(
  baseUrl: string,
  pagePath: string,
  name: ActionName,
  fields: Record<string, string | Blob>,
  opts: { cookie?: string | null; origin?: string | null; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<ActionResponse> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === "string") form.append(`_1_${key}`, value);
    else form.append(`_1_${key}`, value, "certificate.xml");
  }
  form.append("0", JSON.stringify([{}, "$K1"]));
  const origin = opts.origin === undefined ? baseUrl : opts.origin;
  const response = await fetch(`${baseUrl}${pagePath}`, {
    method: "POST",
    body: form,
    redirect: "manual",
    signal: opts.signal,
    headers: {
      Accept: "text/x-component",
      "Next-Action": actionId(name),
      ...(origin ? { Origin: origin } : {}),
      ...(opts.cookie ? { Cookie: opts.cookie } : {}),
      ...opts.headers,
    },
  });
  return { status: response.status, text: await response.text(), contentType: response.headers.get("content-type") ?? "" };
}

interface RenewStateView {
  status: string;
  message?: string;
  slc?: { fingerprint: string };
  checks?: Array<{ name: string; status: string }>;
}

/**
 * The rows of an RSC payload: `id:json\n`, or `id:T<hex byte length>,<text>` with no newline after the text (a long
 * string such as the validated document's base64 is sent that way, and the next row follows it directly).
 */
function rscJsonRows(text: string): string[] {
  const bytes = Buffer.from(text, "utf8");
  const rows: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const colon = bytes.indexOf(0x3a, at); // ':'
    if (colon < 0) break;
    if (bytes[colon + 1] === 0x54) {
      // 'T': a text row of a known byte length
      const comma = bytes.indexOf(0x2c, colon); // ','
      if (comma < 0) break;
      at = comma + 1 + Number.parseInt(bytes.subarray(colon + 2, comma).toString("latin1"), 16);
      continue;
    }
    const end = bytes.indexOf(0x0a, colon);
    rows.push(bytes.subarray(colon + 1, end < 0 ? bytes.length : end).toString("utf8"));
    at = end < 0 ? bytes.length : end + 1;
  }
  return rows;
}

/**
 * The RenewState the action returned, pulled out of the RSC payload (the `{ data }` row of next-safe-action's reply;
 * `{ serverError }` or `{ validationErrors }` become an error state naming what the server said).
 */
export function actionState(response: ActionResponse): RenewStateView {
  for (const row of rscJsonRows(response.text)) {
    if (!row.startsWith("{")) continue;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(row) as Record<string, unknown>;
    } catch {
      continue; // not this row
    }
    const data = value.data;
    if (data && typeof data === "object" && typeof (data as { status?: unknown }).status === "string") return data as RenewStateView;
    if ("serverError" in value || "validationErrors" in value) {
      return { status: "error", message: `action refused: ${JSON.stringify(value.serverError ?? value.validationErrors)}` };
    }
  }
  throw new Error(`no action result in HTTP ${response.status} ${response.contentType}: ${response.text.slice(0, 500)}`);
}
