// The off-thread verifier: the worker's verdict is verifySlc's own; a file past the deadline and a crashed worker are
// typed refusals, after which the next file is verified by a fresh worker.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPki, issueTestSlc, type TestSlc } from "../../../tests/support/certificate-fixtures";
import { createOffThreadVerifier, type OffThreadVerifier } from "./verify-off-thread";
import { verifySlc } from "./verify-slc";

const faultyWorker = path.join(process.cwd(), "tests", "support", "verify-worker-faults.mjs");
let good: TestSlc;
let expired: TestSlc;
const verifiers: OffThreadVerifier[] = [];

function verifier(options: Parameters<typeof createOffThreadVerifier>[0] = {}): OffThreadVerifier {
  const made = createOffThreadVerifier(options);
  verifiers.push(made);
  return made;
}

function opts(slc: TestSlc) {
  return { trustAnchorsPem: slc.trustAnchorsPem, expect: slc.expect };
}

beforeAll(async () => {
  await createTestPki();
  good = await issueTestSlc();
  expired = await issueTestSlc({ preset: "expired" });
});

afterAll(async () => {
  await Promise.all(verifiers.map((v) => v.close()));
});

describe("off-thread SLC verification", () => {
  it("gives the same verdict as verifySlc in-process, for a genuine file and for refused ones", async () => {
    const onWorker = verifier();
    for (const input of [good.xml, Buffer.from(good.xml), expired.xml, good.xml.replace("<XrML", "<XrML2"), "<a>"]) {
      const slc = input === expired.xml ? expired : good;
      expect(await onWorker.verify(input, opts(slc))).toEqual(verifySlc(input, opts(slc)));
    }
    const verdict = await onWorker.verify(good.xml, opts(good));
    expect(verdict.ok).toBe(true);
  });

  it("verifies files handed over together, each with its own verdict", async () => {
    const onWorker = verifier();
    const verdicts = await Promise.all([good.xml, "<a>", good.xml].map((input) => onWorker.verify(input, opts(good))));
    expect(verdicts.map((v) => v.ok)).toEqual([true, false, true]);
  });

  it("refuses a file past the deadline with a typed failure, then verifies the next file on a fresh worker", async () => {
    const onWorker = verifier({ workerFile: faultyWorker, deadlineMs: 2_000 });
    const [hung, next] = await Promise.all([onWorker.verify("HANG", opts(good)), onWorker.verify(good.xml, opts(good))]);
    expect(hung).toMatchObject({ ok: false, failed: "input", reason: "verification_deadline" });
    if (hung.ok) throw new Error("unreachable");
    expect(hung.checks).toEqual([{ name: "input", ok: false, reason: "verification_deadline", detail: hung.detail }]);
    expect(next.ok).toBe(true);
  });

  it("turns a crashed or throwing worker into a typed failure and recovers", async () => {
    const onWorker = verifier({ workerFile: faultyWorker });
    expect(await onWorker.verify("CRASH", opts(good))).toMatchObject({ ok: false, reason: "verification_failed" });
    expect((await onWorker.verify(good.xml, opts(good))).ok).toBe(true);
    expect(await onWorker.verify(Buffer.from("THROW"), opts(good))).toMatchObject({ ok: false, reason: "verification_failed" });
    expect((await onWorker.verify(good.xml, opts(good))).ok).toBe(true);
  });

  it("refuses every file when the worker cannot start, and after close", async () => {
    const missing = verifier({ workerFile: path.join(process.cwd(), "tests", "support", "no-such-worker.mjs") });
    expect(await missing.verify(good.xml, opts(good))).toMatchObject({ ok: false, reason: "verification_failed" });
    const closed = verifier();
    await closed.close();
    expect(await closed.verify(good.xml, opts(good))).toMatchObject({ ok: false, reason: "verification_failed" });
  });
});
