// The audit log's filters against a real database, and the CSV export of a large filtered log: streamed in chunks,
// complete, valid CSV, spreadsheet-safe.
import { beforeAll, describe, expect, it } from "vitest";
import { auditEventsAfter, listAuditEvents, recordAudit } from "@/lib/console/audit/audit";
import { auditClusterCells, auditCsvStream, csvCell } from "@/lib/console/audit/csv";
import { parseAuditFilter } from "@/lib/console/audit/filters";
import { auditEvents, clusters } from "@/lib/platform/db/schema";
import { dbTest, describeOnEachDatabase } from "../support/db-test";

const T0 = new Date("2030-08-01T00:00:00Z");
const CLUSTER = "11111111-2222-4333-8444-555555555555";
const ROWS = 20_000;

/** RFC 4180: quoted cells, doubled quotes, CRLF between records. Throws on anything malformed. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let i = 0;
  while (i < text.length) {
    const record: string[] = [];
    for (;;) {
      if (text[i] !== '"') throw new Error(`unquoted cell at ${i}`);
      let cell = "";
      i++;
      for (;;) {
        const end = text.indexOf('"', i);
        if (end < 0) throw new Error("unterminated cell");
        cell += text.slice(i, end);
        if (text[end + 1] === '"') {
          cell += '"';
          i = end + 2;
        } else {
          i = end + 1;
          break;
        }
      }
      record.push(cell);
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text.slice(i, i + 2) !== "\r\n") throw new Error(`expected CRLF at ${i}`);
      i += 2;
      break;
    }
    records.push(record);
  }
  return records;
}

async function readChunks(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  const chunks: string[] = [];
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(decoder.decode(next.value, { stream: true }));
  return chunks;
}

describe("CSV cells", () => {
  it("quotes every cell and doubles quotes", () => {
    expect(csvCell('say "hi", then\r\nleave')).toBe('"say ""hi"", then\r\nleave"');
  });
  it.each(['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])("defuses a formula: %j", (value) => {
    expect(csvCell(value).startsWith(`"'`)).toBe(true);
  });
});

describeOnEachDatabase("audit filters and CSV export", ({ sharedDatabase }) => {
  beforeAll(async () => {
    const handle = await sharedDatabase();
    // 20,000 rows in batches; every 10 share one timestamp, so the keyset must break ties by id.
    const batch = 2000;
    for (let start = 0; start < ROWS; start += batch) {
      await handle.db.insert(auditEvents).values(
        Array.from({ length: batch }, (_, k) => {
          const n = start + k;
          return {
            occurredAt: new Date(T0.getTime() + Math.floor(n / 10) * 60_000),
            actor: n % 2 === 0 ? "RMS01\\alice" : "bob",
            remoteAddress: "127.0.0.1",
            action: n % 3 === 0 ? "import_confirmed" : "sign_in",
            outcome: n % 7 === 0 ? ("failure" as const) : ("success" as const),
            clusterId: n % 4 === 0 ? CLUSTER : null,
            details: { n, note: n % 1000 === 0 ? '=cmd|" /C calc"!A0, "quoted"\nnext line' : "plain" },
          };
        }),
      );
    }
    await recordAudit(handle.db, {
      actor: "100%_real\\user",
      remoteAddress: null,
      action: "sign_out",
      outcome: "success",
      occurredAt: new Date(T0.getTime() - 86_400_000),
    });
  }, 240_000);

  dbTest("narrows by every filter, with values bound as parameters", async ({ sharedDb: handle }) => {
    const { filter } = parseAuditFilter({ action: "import_confirmed", outcome: "failure", cluster: CLUSTER, actor: "ALICE" });
    const page = await listAuditEvents(handle.db, { page: 1, pageSize: 10, filter });
    // n % 3 == 0, n % 7 == 0, n % 4 == 0, even: n % 84 == 0.
    expect(page.total).toBe(Math.ceil(ROWS / 84));
    expect(page.events.every((e) => (e.details.n as number) % 84 === 0)).toBe(true);
  });

  dbTest("takes LIKE wildcards and SQL in the actor filter literally", async ({ sharedDb: handle }) => {
    const literal = await listAuditEvents(handle.db, { page: 1, pageSize: 10, filter: { actor: "0%_r" } });
    expect(literal.events.map((e) => e.actor)).toEqual(["100%_real\\user"]);
    expect((await listAuditEvents(handle.db, { page: 1, pageSize: 10, filter: { actor: "%" } })).total).toBe(1);
    expect((await listAuditEvents(handle.db, { page: 1, pageSize: 10, filter: { actor: "_" } })).total).toBe(1);
    expect((await listAuditEvents(handle.db, { page: 1, pageSize: 10, filter: { actor: "' OR '1'='1" } })).total).toBe(0);
    expect((await listAuditEvents(handle.db, { page: 1, pageSize: 1 })).total).toBe(ROWS + 1);
  });

  dbTest("narrows by a date range, the last day included", async ({ sharedDb: handle }) => {
    // Minute m holds rows 10m..10m+9; the first day (1440 minutes) holds 14,400 rows.
    const { filter } = parseAuditFilter({ from: "2030-08-01", to: "2030-08-01" });
    expect((await listAuditEvents(handle.db, { page: 1, pageSize: 1, filter })).total).toBe(14_400);
    const before = parseAuditFilter({ to: "2030-07-31" }).filter;
    expect((await listAuditEvents(handle.db, { page: 1, pageSize: 1, filter: before })).total).toBe(1);
  });

  dbTest("pages through ties in keyset order without losing or repeating a row", async ({ sharedDb: handle }) => {
    const seen: number[] = [];
    let cursor = null;
    do {
      const page: Awaited<ReturnType<typeof auditEventsAfter>> = await auditEventsAfter(handle.db, { action: "sign_in" }, cursor, 777);
      seen.push(...page.events.map((e) => e.details.n as number));
      cursor = page.next;
    } while (cursor);
    const expected = Array.from({ length: ROWS }, (_, n) => n).filter((n) => n % 3 !== 0);
    expect(seen.length).toBe(expected.length);
    expect(new Set(seen).size).toBe(expected.length);
  });

  dbTest("streams the whole filtered log as valid CSV, one chunk per page", async ({ sharedDb: handle }) => {
    const stream = auditCsvStream(
      handle.db,
      {},
      {
        header: ["time", "actor", "action", "details"],
        row: (e) => [e.occurredAt.toISOString(), e.actor ?? "", e.action, JSON.stringify(e.details)],
      },
    );
    const chunks = await readChunks(stream);
    // The header, then 21 pages of at most 1,000 rows (20,001 rows).
    expect(chunks.length).toBe(1 + Math.ceil((ROWS + 1) / 1000));
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(250_000);
    const text = chunks.join("");
    expect(text.startsWith("\uFEFF")).toBe(true);
    const records = parseCsv(text.slice(1));
    expect(records[0]).toEqual(["time", "actor", "action", "details"]);
    expect(records.length).toBe(ROWS + 2);
    const ns = records.slice(1, -1).map((r) => JSON.parse(r[3] ?? "").n as number);
    expect(new Set(ns).size).toBe(ROWS);
    // Newest first; the formula-looking, quoted, multi-line note survives intact inside its JSON.
    expect(ns[0]).toBe(ROWS - 1);
    expect(text).toContain('""note"":""=cmd|\\"" /C calc\\""!A0, \\""quoted\\""\\nnext line""');
    expect(records.at(-1)?.[1]).toBe("100%_real\\user");
  });

  dbTest("streams only the filtered rows, and reads the database only as the reader asks", async ({ sharedDb: handle }) => {
    const { filter } = parseAuditFilter({ cluster: CLUSTER });
    const stream = auditCsvStream(handle.db, filter, { header: ["n"], row: (e) => [String(e.details.n)], pageRows: 500 });
    const reader = stream.getReader();
    const first = await reader.read();
    expect(new TextDecoder("utf-8", { ignoreBOM: true }).decode(first.value)).toBe('\uFEFF"n"\r\n');
    const second = await reader.read();
    expect(parseCsv(new TextDecoder("utf-8", { ignoreBOM: true }).decode(second.value)).length).toBe(500);
    await reader.cancel();
    const all = parseCsv(
      (await readChunks(auditCsvStream(handle.db, filter, { header: ["n"], row: (e) => [String(e.details.n)] }))).join("").slice(1),
    );
    expect(all.length - 1).toBe(ROWS / 4);
    expect(all.slice(1).every(([n]) => Number(n) % 4 === 0)).toBe(true);
  });
});

describeOnEachDatabase("the CSV's cluster columns", () => {
  dbTest("name the cluster and its GUID (a removed cluster too), not the console's internal id", async ({ sharedDb: handle }) => {
    const guid = "{0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D}";
    const [live, removed] = await handle.db
      .insert(clusters)
      .values([
        { guid, name: "RMS01 RMS cluster", serverName: "RMS01", clusterUrl: "https://rms01.contoso.test", configDatabase: "db" },
        {
          guid: "{11111111-2222-4333-8444-000000000001}",
          name: "Old cluster",
          serverName: "RMS02",
          clusterUrl: "https://rms02.contoso.test",
          configDatabase: "db",
          removedAt: T0,
        },
      ])
      .returning({ id: clusters.id });
    if (!live || !removed) throw new Error("clusters not created");
    for (const clusterId of [live.id, removed.id, CLUSTER, null]) {
      await recordAudit(handle.db, { actor: "bob", remoteAddress: null, action: "sign_in", outcome: "success", clusterId });
    }
    const cells = await auditClusterCells(handle.db);
    const { filter } = parseAuditFilter({});
    const text = (
      await readChunks(auditCsvStream(handle.db, filter, { header: ["Cluster", "Cluster GUID"], row: (e) => cells(e.clusterId) }))
    )
      .join("")
      .slice(1);
    expect(parseCsv(text)).toEqual([
      ["Cluster", "Cluster GUID"],
      ["", ""],
      [CLUSTER, ""],
      ["Old cluster", "{11111111-2222-4333-8444-000000000001}"],
      ["RMS01 RMS cluster", guid],
    ]);
  });
});
