// zod schemas for the renewal actions' form posts.
import { z } from "zod";
import { MAX_UPLOAD_BYTES } from "./state";

const clusterId = z.uuid();
const fingerprint = z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

/** Online renewal; `replacePending` is the administrator's explicit consent when an offline request is pending. */
export const renewOnlineSchema = z.object({ clusterId, replacePending: z.literal("on").optional() });
/** The Renew dialog's import form: Import (validate; the default), Yes (confirm the checked document) or No (decline). */
export const importStepSchema = z.preprocess(
  (value) => (value && typeof value === "object" && !("intent" in value) ? { ...value, intent: "validate" } : value),
  z.discriminatedUnion("intent", [
    z.object({ intent: z.literal("validate"), clusterId, file: z.instanceof(File) }),
    // The checked document in base64 (a form post would turn its line breaks into CRLF and change its fingerprint); it
    // is checked again in full on the server before anything is installed.
    z.object({
      intent: z.literal("confirm"),
      clusterId,
      fingerprint,
      document: z
        .string()
        .min(4)
        .max(Math.ceil(MAX_UPLOAD_BYTES / 3) * 4)
        .regex(/^[A-Za-z0-9+/]+={0,2}$/),
    }),
    z.object({ intent: z.literal("decline"), clusterId, fingerprint }),
  ]),
);
/** "Check for the approved certificate" on a request held for approval. */
export const checkApprovalSchema = z.object({ clusterId });
export const cancelRequestSchema = z.object({ clusterId, requestId: z.uuid() });
export const autoRenewalSchema = z.object({ clusterId, enabled: z.enum(["on", "off"]) });
