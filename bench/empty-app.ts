// The empty-app floor of first-load JavaScript: a minimal Next app (one page, one layout, no client code) built and
// served by the project's own Next version, measured the way bench/console.ts measures the console's pages.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { freePort, ROOT, spawnNode, stopProcess, tempDir, waitForStatus } from "./lib/processes";

/**
 * Built in a temp folder of its own (nothing of the project's code, config or instrumentation can reach it), with the
 * project's node_modules hard-linked in (offline, the very same Next and React), and removed afterwards.
 */
export async function emptyAppUrl<T>(log: (m: string) => void, use: (url: string) => Promise<T>): Promise<T> {
  const dir = path.join(tempDir("empty-app"), "app-root");
  fs.mkdirSync(path.join(dir, "app"), { recursive: true });
  const linked = spawnSync("cp", ["-al", path.join(ROOT, "node_modules"), path.join(dir, "node_modules")], { encoding: "utf8" });
  if (linked.status !== 0) throw new Error(`could not link node_modules into the empty app: ${linked.stderr}`);
  fs.writeFileSync(path.join(dir, "package.json"), '{ "private": true, "type": "module" }\n');
  fs.writeFileSync(path.join(dir, "next.config.mjs"), "export default {};\n");
  fs.writeFileSync(
    path.join(dir, "app", "layout.jsx"),
    'export default function RootLayout({ children }) {\n  return (\n    <html lang="en">\n      <body>{children}</body>\n    </html>\n  );\n}\n',
  );
  fs.writeFileSync(path.join(dir, "app", "page.jsx"), "export default function Page() {\n  return <main>Empty</main>;\n}\n");
  // The linked copy's Next, so Next and React resolve from one node_modules (two copies of React break the build).
  const nextBin = path.join(dir, "node_modules", "next", "dist", "bin", "next");
  try {
    log("empty app: next build (not timed)…");
    // A clean environment: what the benchmark process inherited or set (NODE_ENV, Next's private variables) breaks the
    // prerendering of the empty app's error page.
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, NEXT_TELEMETRY_DISABLED: "1" } as unknown as NodeJS.ProcessEnv;
    const built = spawnSync(process.execPath, [nextBin, "build"], { cwd: dir, env, encoding: "utf8" });
    if (built.status !== 0) throw new Error(`the empty app did not build: ${built.stdout}${built.stderr}`.slice(0, 2_000));
    const port = await freePort();
    const child = spawnNode(
      [nextBin, "start", dir, "-H", "127.0.0.1", "-p", String(port)],
      env,
      path.join(tempDir("empty-app"), "start.log"),
    );
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitForStatus(`${url}/`, performance.now(), 60_000, child);
      return await use(url);
    } finally {
      await stopProcess(child);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
