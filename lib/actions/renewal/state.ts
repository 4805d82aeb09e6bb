// Renew dialog states and limits shared by the server actions and the client dialog (no server-only imports here).
export interface CheckView {
  name: string;
  label: string;
  status: "passed" | "failed" | "not_run";
}

export interface SlcView {
  issuer: string;
  issuerSubject: string;
  subject: string;
  guid: string;
  url: string;
  validFrom: string;
  validFromText: string;
  validUntil: string;
  validUntilText: string;
  fingerprint: string;
  serial: string;
}

export type RenewState =
  | { status: "idle" }
  | { status: "error"; message: string; checks?: CheckView[] }
  | { status: "renewed"; message: string; validUntil: string }
  | { status: "validated"; slc: SlcView; checks: CheckView[] }
  | { status: "declined"; message: string };

export const IDLE: RenewState = { status: "idle" };

/** The same cap as the XML gate (MAX_XML_BYTES), checked in the browser before uploading. */
export const MAX_UPLOAD_BYTES = 256 * 1024;

/** What a renewal action answered (next-safe-action's result): its state, else the one sentence to show instead. */
export interface RenewResult {
  data?: RenewState;
  serverError?: string;
  validationErrors?: { formErrors: string[] };
}

export function renewResultView(result: RenewResult, fallback: string): RenewState {
  return result.data ?? { status: "error", message: result.serverError ?? result.validationErrors?.formErrors[0] ?? fallback };
}
