// The rms CLI's re-key commands against a real enrollment service and database: the argument rules, start --online held
// for the operator, send after approval installs (old key gone), start --offline writes the request file, import of a
// wrong file refused with its checks, status and cancel; every step audited under the CLI's actor.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/console/audit/audit";
import type { ClusterCommandIo } from "@/lib/console/cli/cluster-commands";
import {
  rekeyCancelCommand,
  rekeyImportCommand,
  rekeySendCommand,
  rekeyStartCommand,
  rekeyStatusCommand,
} from "@/lib/console/cli/rekey-commands";
import { DEMO_SLC_VALIDITY_DAYS, provisionFirstRun } from "@/lib/console/provisioning/first-run";
import type { RenewalContext } from "@/lib/console/renewal/context";
import type { EnrollmentService } from "@/lib/enrollment/server";
import { certificates, clusterKeys } from "@/lib/platform/db/schema";
import { parseCommand } from "@/scripts/rms";
import { createTestDatabase } from "../support/databases";
import { startTestEnrollment, testRenewalContext } from "../support/enrollment";

const actor = { name: "cli:operator", remoteAddress: null };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-cli-rekey-"));
let service: EnrollmentService;
let handle: Awaited<ReturnType<typeof createTestDatabase>>;
let ctx: RenewalContext;

function recordingIo(answer: boolean | null = null) {
  const out: string[] = [];
  const err: string[] = [];
  const io: ClusterCommandIo = {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readFile: async (file) => new Uint8Array(fs.readFileSync(file)),
    writeFile: async (file, data) => fs.writeFileSync(file, data),
    confirm: async () => answer,
  };
  return { io, out, err };
}

beforeAll(async () => {
  let root: string;
  ({ service, root } = await startTestEnrollment(path.join(tmp, "enrollment")));
  handle = await createTestDatabase("pglite");
  ctx = testRenewalContext(handle.db, { consoleDir: path.join(tmp, "console"), trustAnchors: [root], enrollmentUrl: service.url });
  const provisioned = await provisionFirstRun(ctx, { serverName: "RMS01", validityDays: DEMO_SLC_VALIDITY_DAYS });
  if (!provisioned.ok) throw new Error(`first run failed: ${provisioned.code}`);
}, 240_000);

afterAll(async () => {
  await handle.dispose();
  await service.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("rms rekey", () => {
  it("parses the commands, and needs exactly one of --online and --offline", () => {
    expect(parseCommand(["rekey", "start", "RMS01", "--online"])).toEqual({ command: "rekey start", cluster: "RMS01", online: true });
    expect(parseCommand(["rekey", "start", "RMS01", "--offline", "--out", "r.xml"])).toEqual({
      command: "rekey start",
      cluster: "RMS01",
      online: false,
      out: "r.xml",
    });
    expect(() => parseCommand(["rekey", "start", "RMS01"])).toThrow(/exactly one of --online/);
    expect(() => parseCommand(["rekey", "start", "RMS01", "--online", "--offline"])).toThrow(/exactly one of --online/);
    expect(() => parseCommand(["rekey", "start", "RMS01", "--online", "--out", "r.xml"])).toThrow(/--out/);
    expect(parseCommand(["rekey", "import", "RMS01", "slc.xml", "--yes"])).toEqual({
      command: "rekey import",
      cluster: "RMS01",
      file: "slc.xml",
      yes: true,
    });
    expect(parseCommand(["rekey", "cancel", "RMS01"])).toEqual({ command: "rekey cancel", cluster: "RMS01" });
  });

  it("online: held, then installed once the operator approved it; the old key is gone", async () => {
    const [oldKey] = await handle.db.select().from(clusterKeys);
    const started = recordingIo();
    expect(await rekeyStartCommand(ctx, { reference: "Default Web Site", actor, online: true, out: undefined }, started.io)).toBe(0);
    expect(started.out.join("\n")).toMatch(/Held for the enrollment service operator's approval/);
    const status = recordingIo();
    expect(await rekeyStatusCommand(ctx, "Default Web Site", status.io)).toBe(0);
    expect(status.out.join("\n")).toMatch(/held by the enrollment service/);
    const [held] = await service.desk.list({ state: "pending_approval" });
    if (!held) throw new Error("nothing held");
    expect(held.reason).toBe("rekey");
    expect(await service.desk.approve(held.id, "olivia", "cli")).toMatchObject({ ok: true });
    const sent = recordingIo();
    expect(await rekeySendCommand(ctx, { reference: "Default Web Site", actor }, sent.io)).toBe(0);
    expect(sent.out.join("\n")).toMatch(/^Re-keyed\. .*the old key \(.+\) was destroyed/);
    const keys = await handle.db.select().from(clusterKeys);
    expect(keys).toHaveLength(1);
    expect(keys[0]?.fingerprint).not.toBe(oldKey?.fingerprint);
    const audit = await listAuditEvents(handle.db, { page: 1, pageSize: 50 });
    expect(audit.events.filter((e) => e.action.startsWith("rekey_")).every((e) => e.actor === actor.name)).toBe(true);
  });

  it("offline: writes the request, refuses a wrong certificate file with its checks, cancels", async () => {
    const out = path.join(tmp, "rekey.xml");
    const started = recordingIo();
    expect(await rekeyStartCommand(ctx, { reference: "Default Web Site", actor, online: false, out }, started.io)).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toContain("<ReplacesSlcSerial>");
    const [installed] = await handle.db.select().from(certificates).where(eq(certificates.active, true));
    const wrong = path.join(tmp, "installed.xml");
    fs.writeFileSync(wrong, installed?.document ?? "");
    const refused = recordingIo();
    expect(await rekeyImportCommand(ctx, { reference: "Default Web Site", actor, file: wrong, yes: true }, refused.io)).toBe(1);
    expect(refused.out.some((line) => line.includes("FAIL"))).toBe(true);
    const unanswered = recordingIo(null);
    expect(await rekeyImportCommand(ctx, { reference: "Default Web Site", actor, file: wrong, yes: false }, unanswered.io)).toBe(1);
    expect(unanswered.err.join("\n")).toMatch(/pass --yes/);
    const cancelled = recordingIo();
    expect(await rekeyCancelCommand(ctx, { reference: "Default Web Site", actor }, cancelled.io)).toBe(0);
    expect(await handle.db.select().from(clusterKeys)).toHaveLength(1);
    const again = recordingIo();
    expect(await rekeyCancelCommand(ctx, { reference: "Default Web Site", actor }, again.io)).toBe(1);
  });
});
