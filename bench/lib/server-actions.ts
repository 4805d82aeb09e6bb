// Reading a server action's answer: the RenewState it returned, out of the RSC payload. The requests themselves are
// the ones Chromium sent, captured from the page and replayed (tests/support/browser-actions.ts); nothing here
// writes an action request.

/** What the bench needs of a replayed action's answer (an ActionReply of tests/support/browser-actions.ts). */
interface ActionAnswer {
  status: number;
  text: string;
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
export function actionState(response: ActionAnswer): RenewStateView {
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
  throw new Error(`no action result in HTTP ${response.status}: ${response.text.slice(0, 500)}`);
}
