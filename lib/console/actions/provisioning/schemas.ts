// zod schemas for the provisioning and removal form posts (the fields' own rules live in lib/console/provisioning/web-sites.ts).
import { z } from "zod";

const text = z.string().max(4096);

export const provisionSchema = z.object({ webSiteId: z.uuid(), clusterName: text, clusterUrl: text, configDatabase: text });
export const removeSchema = z.object({ webSiteId: z.uuid(), clusterId: z.uuid(), confirmation: text });
