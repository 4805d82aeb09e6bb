// The alerting rules shipped in monitoring/, checked by the real promtool (Debian's prometheus package): the file
// loads, its unit tests pass (one alert per cluster with two consoles, a wrong-file Import fires nothing, the first
// refusal after a start counts), every alert has a test, and the README shows the file as it is.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const MONITORING = path.join(process.cwd(), "monitoring");
const RULES = path.join(MONITORING, "rms-alerts.yml");
const TESTS = path.join(MONITORING, "rms-alerts.test.yml");

function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync("promtool", args, { cwd: MONITORING, encoding: "utf8" });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("monitoring/rms-alerts.yml", () => {
  it("passes promtool check rules", () => {
    const check = promtool("check", "rules", RULES);
    expect(check.output).toContain("SUCCESS: 5 rules found");
    expect(check.status).toBe(0);
  });

  it("passes its promtool unit tests, which cover every alert", () => {
    const run = promtool("test", "rules", TESTS);
    expect(run.output).toContain("SUCCESS");
    expect(run.status).toBe(0);
    const alerts = [...fs.readFileSync(RULES, "utf8").matchAll(/^\s+- alert: (\S+)$/gm)].map((m) => m[1]);
    const tested = new Set([...fs.readFileSync(TESTS, "utf8").matchAll(/alertname: (\S+)$/gm)].map((m) => m[1]));
    expect(alerts).toHaveLength(5);
    expect(alerts.filter((alert) => !tested.has(alert))).toEqual([]);
  });

  it("is what the README's Monitoring section shows", () => {
    const readme = fs.readFileSync(path.join(process.cwd(), "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Monitoring"));
    const shown = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    const rules = fs.readFileSync(RULES, "utf8");
    expect(shown).toBe(rules.slice(rules.indexOf("groups:")));
    expect(section).toContain("monitoring/rms-alerts.yml");
  });
});
