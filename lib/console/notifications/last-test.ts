// How Settings shows the last "Send test notification": delivered everywhere is success, a failed channel is an error,
// and no channel at all is information (nothing was sent, nothing failed).
export type LastTestTone = "success" | "error" | "info";

export function lastTestTone(test: { outcome: string; details: Readonly<Record<string, unknown>> }): LastTestTone {
  if (Object.keys(test.details).length === 0) return "info";
  return test.outcome === "success" ? "success" : "error";
}
