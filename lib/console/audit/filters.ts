// The audit log's filters as they travel in the URL: each field validated on its own, so one forged value is ignored
// (and named) while the others still apply.
import { z } from "zod";
import { AUDIT_ACTIONS, type AuditFilter, type AuditOutcome } from "./audit";

export const AUDIT_OUTCOMES = ["success", "failure", "denied"] as const satisfies readonly AuditOutcome[];
const AUDIT_FILTER_FIELDS = ["action", "outcome", "actor", "cluster", "from", "to"] as const;
type AuditFilterField = (typeof AUDIT_FILTER_FIELDS)[number];

export interface ParsedAuditFilter {
  filter: AuditFilter;
  /** The raw values that were accepted, to refill the form and build links (only valid ones). */
  values: Partial<Record<AuditFilterField, string>>;
  /** Fields whose values were present but not valid: ignored, and the page says so. */
  ignored: AuditFilterField[];
}

const MAX_ACTOR = 100;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar day YYYY-MM-DD (years 2000–9999) as the UTC midnight that starts it; null for anything else. */
function parseDay(value: string): Date | null {
  const match = DAY.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 2000) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2026-02-31 over into March: a day that does not exist is refused, not moved.
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? date : null;
}

const daySchema = z.string().transform((value, ctx) => {
  const day = parseDay(value);
  if (day) return day;
  ctx.addIssue({ code: "custom", message: "not a day (YYYY-MM-DD)" });
  return z.NEVER;
});

const fieldSchemas = {
  action: z.enum(AUDIT_ACTIONS),
  outcome: z.enum(AUDIT_OUTCOMES),
  actor: z.string().trim().min(1).max(MAX_ACTOR),
  cluster: z.uuid(),
  from: daySchema,
  to: daySchema,
} as const;

type SearchParams = Record<string, string | string[] | undefined> | URLSearchParams;

function single(params: SearchParams, key: string): string | undefined | null {
  if (params instanceof URLSearchParams) {
    const all = params.getAll(key);
    return all.length > 1 ? null : all[0];
  }
  const value = params[key];
  // A repeated parameter (?action=a&action=b) is not something the form sends: ignore it rather than guess.
  return Array.isArray(value) ? (value.length === 1 ? value[0] : null) : value;
}

/** Reads the filters from a page's searchParams or a route's URLSearchParams; empty fields mean "any". */
export function parseAuditFilter(params: SearchParams): ParsedAuditFilter {
  const values: ParsedAuditFilter["values"] = {};
  const ignored: AuditFilterField[] = [];
  function read<T>(field: AuditFilterField, schema: z.ZodType<T, string>): T | undefined {
    const raw = single(params, field);
    if (raw === undefined || raw === "") return undefined;
    const parsed = raw === null ? null : schema.safeParse(raw);
    if (raw === null || !parsed?.success) {
      ignored.push(field);
      return undefined;
    }
    values[field] = typeof parsed.data === "string" ? parsed.data : raw;
    return parsed.data;
  }
  const filter: AuditFilter = {
    action: read("action", fieldSchemas.action),
    outcome: read("outcome", fieldSchemas.outcome),
    actor: read("actor", fieldSchemas.actor),
    clusterId: read("cluster", fieldSchemas.cluster),
    from: read("from", fieldSchemas.from),
  };
  const lastDay = read("to", fieldSchemas.to);
  if (lastDay) filter.to = new Date(lastDay.getTime() + 86_400_000);
  if (filter.from && filter.to && filter.from >= filter.to) {
    // "From" after "to" selects nothing: say so instead of showing an empty log as if nothing had happened.
    filter.to = undefined;
    delete values.to;
    ignored.push("to");
  }
  return { filter, values, ignored };
}

/** The query string for the same filters (and optionally a page), for links and the CSV export. */
export function auditFilterQuery(values: ParsedAuditFilter["values"], extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const field of AUDIT_FILTER_FIELDS) {
    const value = values[field];
    if (value) params.set(field, value);
  }
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  const query = params.toString();
  return query ? `?${query}` : "";
}
