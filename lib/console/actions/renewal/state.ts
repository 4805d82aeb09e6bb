// Renew dialog states and limits shared by the server actions and the client dialog (no server-only imports here).
import { MAX_XML_BYTES } from "@/lib/core/xml/limits";

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

/** What the file answers and replaces, shown beside it on the confirmation (the same identifiers as the pending request's card). */
export interface AnswersView {
  requestId: string;
  keyFingerprint: string;
  current: { validUntil: string; validUntilText: string; fingerprint: string } | null;
  /** The gain as a sentence ("+365 days"), and whether it is short enough to warn about. */
  gainText: string;
  shortGain: boolean;
  /** The summary of the folded checks and identifiers ("Details: all 11 checks passed…", naming a short gain). */
  details: string;
}

export type RenewState =
  | { status: "idle" }
  | { status: "error"; message: string; checks?: CheckView[] }
  | { status: "renewed"; message: string; validUntil: string }
  // `document` (the checked file in base64) goes back with Yes in a hidden field, so the confirmation also works as a
  // plain form without JavaScript; the server checks it again in full before installing.
  // `intro` says what is being confirmed when it is not an imported file (an online answer held for the small-gain rule).
  | { status: "validated"; slc: SlcView; checks: CheckView[]; answers: AnswersView; document: string; intro?: string }
  | { status: "declined"; message: string }
  // The enrollment service holds the request for its operator's approval: not an error, a state of its own.
  | { status: "held"; message: string; requestId: string };

export const IDLE: RenewState = { status: "idle" };

/** The XML gate's cap itself, checked in the browser before uploading: it refuses exactly what the server would. */
export const MAX_UPLOAD_BYTES = MAX_XML_BYTES;
