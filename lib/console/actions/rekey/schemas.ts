// zod schema of the re-key page's form posts (one action, the pressed button's intent says which step).
import { z } from "zod";

const clusterId = z.uuid();

export const rekeyStepSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("start"), clusterId, method: z.enum(["online", "offline"]) }),
  z.object({ intent: z.literal("send"), clusterId }),
  z.object({ intent: z.literal("import"), clusterId, file: z.instanceof(File) }),
  z.object({ intent: z.literal("cancel"), clusterId }),
]);
