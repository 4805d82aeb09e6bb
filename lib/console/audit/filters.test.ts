// The audit URL's filters: valid values narrow the log, forged ones are ignored and named, none throws.
import { describe, expect, it } from "vitest";
import { auditFilterQuery, parseAuditFilter } from "./filters";

const CLUSTER = "11111111-2222-4333-8444-555555555555";

describe("audit filters from the URL", () => {
  it("reads every field the form sends", () => {
    const parsed = parseAuditFilter({
      action: "import_confirmed",
      outcome: "failure",
      actor: "  alice ",
      cluster: CLUSTER,
      from: "2026-11-01",
      to: "2026-11-30",
    });
    expect(parsed.ignored).toEqual([]);
    expect(parsed.filter).toEqual({
      action: "import_confirmed",
      outcome: "failure",
      actor: "alice",
      clusterId: CLUSTER,
      from: new Date("2026-11-01T00:00:00Z"),
      // "To" includes the whole last day.
      to: new Date("2026-12-01T00:00:00Z"),
    });
    expect(auditFilterQuery(parsed.values, { page: "2" })).toBe(
      `?action=import_confirmed&outcome=failure&actor=alice&cluster=${CLUSTER}&from=2026-11-01&to=2026-11-30&page=2`,
    );
  });

  it("treats empty fields as 'any'", () => {
    const parsed = parseAuditFilter({ action: "", outcome: "", actor: "", cluster: "", from: "", to: "" });
    expect(parsed).toEqual({
      filter: { action: undefined, outcome: undefined, actor: undefined, clusterId: undefined, from: undefined },
      values: {},
      ignored: [],
    });
    expect(auditFilterQuery(parsed.values)).toBe("");
  });

  it.each([
    ["an unknown action", { action: "drop_table" }, ["action"]],
    ["an SQL-ish action", { action: "sign_in' OR '1'='1" }, ["action"]],
    ["an unknown outcome", { outcome: "maybe" }, ["outcome"]],
    ["a cluster that is not a UUID", { cluster: "1; DELETE FROM audit_events" }, ["cluster"]],
    ["a day that does not exist", { from: "2026-02-31" }, ["from"]],
    ["a date in another format", { from: "31/12/2026", to: "2026-13-01" }, ["from", "to"]],
    ["a year before 2000", { from: "0001-01-01" }, ["from"]],
    ["a huge actor", { actor: "a".repeat(10_000) }, ["actor"]],
    ["a repeated parameter", { action: ["sign_in", "sign_out"] }, ["action"]],
    ["'from' after 'to'", { from: "2026-12-01", to: "2026-11-01" }, ["to"]],
  ])("ignores %s and names the field", (_name, params, ignored) => {
    const parsed = parseAuditFilter(params);
    expect(parsed.ignored).toEqual(ignored);
    for (const field of ignored) expect(parsed.values).not.toHaveProperty(field);
  });

  it("keeps the valid fields next to a forged one", () => {
    const parsed = parseAuditFilter(new URLSearchParams("action=nope&outcome=denied&from=2026-01-01"));
    expect(parsed.ignored).toEqual(["action"]);
    expect(parsed.filter.outcome).toBe("denied");
    expect(parsed.filter.from).toEqual(new Date("2026-01-01T00:00:00Z"));
  });

  it("keeps an actor with SQL and LIKE characters as plain text (bound as a parameter later)", () => {
    const parsed = parseAuditFilter({ actor: "x' OR 1=1 --%_\\" });
    expect(parsed.ignored).toEqual([]);
    expect(parsed.filter.actor).toBe("x' OR 1=1 --%_\\");
  });
});
