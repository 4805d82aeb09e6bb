// Prometheus's own tool on a scrape (Debian's prometheus package, /usr/bin/promtool), and the samples of the text.
import { spawnSync } from "node:child_process";

/** `promtool check metrics` on the exposition text: its exit status and everything it printed. */
export function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  const run = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The samples of one metric, each as its label text (`{a="b",…}`, or empty) and value. */
export function samplesOf(text: string, name: string): Array<{ labels: string; value: number }> {
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .map((l) => ({ labels: l.slice(name.length, l.lastIndexOf(" ")), value: Number(l.slice(l.lastIndexOf(" ") + 1)) }));
}

/** The value of the sample `name{labels}` (labels in the order prom-client writes them), or undefined. */
export function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = `{${Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .join(",")}}`;
  return samplesOf(text, name).find((s) => s.labels === wanted)?.value;
}
