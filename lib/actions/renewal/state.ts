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
