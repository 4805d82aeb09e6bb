// zod schemas for the renewal actions' form posts.
import { z } from "zod";

const clusterId = z.uuid();
const fingerprint = z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

export const renewOnlineSchema = z.object({ clusterId });
export const importFileSchema = z.object({ clusterId, file: z.instanceof(File) });
export const confirmImportSchema = z.object({ clusterId, file: z.instanceof(File), fingerprint });
export const declineImportSchema = z.object({ clusterId, fingerprint });
export const cancelRequestSchema = z.object({ clusterId, requestId: z.uuid() });
export const autoRenewalSchema = z.object({ clusterId, enabled: z.enum(["on", "off"]) });
