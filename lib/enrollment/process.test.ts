// The entry script as a real child process: readiness line, clean stop on SIGTERM, exit code 2 for bad settings, clear
// refusal of a broken CA folder, and the operator commands (through the running service, or on its store directly).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchTrusting } from "../../tests/support/enrollment-requests";
import { program } from "../../tests/support/processes";

const root = path.resolve(import.meta.dirname, "../..");

let tmp = "";
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "enrollment-process-"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the service; `whenReady` runs once the listening line appears, then the process gets SIGTERM. */
function run(env: Record<string, string>, whenReady?: (url: string) => Promise<void>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, program("enrollment"), {
      cwd: root,
      env: { ...process.env, HOST: "127.0.0.1", RMS_SLC_VALIDITY_DAYS: "", RMS_ENROLLMENT_ISSUER: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let ready = false;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const match = /Enrollment service listening on (https:\/\/\S+)/.exec(stdout);
      if (match?.[1] && !ready) {
        ready = true;
        const after = whenReady ? whenReady(match[1]) : Promise.resolve();
        after.then(
          () => child.kill("SIGTERM"),
          (error: unknown) => {
            child.kill("SIGKILL");
            reject(error);
          },
        );
      }
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function cli(dataDir: string, args: string[], input = ""): Run {
  const result = spawnSync(process.execPath, program("enrollment", ...args), {
    cwd: root,
    env: { ...process.env, RMS_ENROLLMENT_DATA_DIR: dataDir },
    input,
    encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("scripts/enrollment.ts", () => {
  it("prints one listening line, serves, and stops cleanly on SIGTERM", async () => {
    const dataDir = path.join(tmp, "ok");
    let health = 0;
    let listed = "";
    const result = await run({ RMS_ENROLLMENT_PORT: "0", RMS_ENROLLMENT_DATA_DIR: dataDir }, async (url) => {
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const rootPem = await fs.readFile(path.join(dataDir, "ca", "root.pem"), "utf8");
      health = (await fetchTrusting(rootPem)(`${url}/healthz`)).status;
      // While it runs (PGlite is single-process), commands go through its admin socket.
      expect(cli(dataDir, ["operators", "add", "alice", "--password-stdin"], "correct horse battery staple").code).toBe(0);
      listed = cli(dataDir, ["operators", "list"]).stdout;
    });
    expect(listed).toContain('"name": "alice"');
    expect(health).toBe(200);
    expect(result.code).toBe(0);
    expect(result.stdout.match(/Enrollment service listening on/g)).toHaveLength(1);
    expect(await fs.readdir(path.join(dataDir, "ca"))).toContain("root.pem");
    // The service runs with the issuing CA's key only: a first start keeps no root key anywhere on the station.
    expect(await fs.readdir(path.join(dataDir, "ca"))).not.toContain("root-key.pem");
    expect(result.stdout).toContain("Its root key was not kept");
    // A first start creates the CA hierarchy and the database: a minute on a loaded 2-core machine.
  }, 120_000);

  it("offline root: ca init, an older folder refused with the command that migrates it, and ca reissue from the offline file", async () => {
    const passphrase = "correct horse battery staple";
    const dataDir = path.join(tmp, "offline-root");
    const out = path.join(tmp, "offline-root-key.pem");
    const init = cli(dataDir, ["ca", "init", "--root-key-out", out, "--passphrase-stdin"], passphrase);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(`The root's private key is only in ${out}`);
    expect(await fs.readFile(out, "utf8")).toContain("ENCRYPTED PRIVATE KEY");
    expect(await fs.readdir(path.join(dataDir, "ca"))).not.toContain("root-key.pem");

    // A data folder from before the offline root: the key is put back where older versions kept it.
    const { createPrivateKey } = await import("node:crypto");
    const legacyKey = createPrivateKey({ key: await fs.readFile(out, "utf8"), passphrase }).export({ type: "pkcs8", format: "pem" });
    await fs.writeFile(path.join(dataDir, "ca", "root-key.pem"), legacyKey, { mode: 0o600 });
    const refused = await run({ RMS_ENROLLMENT_PORT: "0", RMS_ENROLLMENT_DATA_DIR: dataDir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("The root CA's private key is on this station");
    expect(refused.stderr).toContain("npm run enrollment -- ca export-root --out");
    const moved = path.join(tmp, "moved-root-key.pem");
    const exported = cli(dataDir, ["ca", "export-root", "--out", moved, "--passphrase-stdin"], passphrase);
    expect(exported.code).toBe(0);
    expect(await fs.readdir(path.join(dataDir, "ca"))).not.toContain("root-key.pem");

    const wrong = cli(dataDir, ["ca", "reissue", "--root-key", moved, "--passphrase-stdin"], "not the passphrase");
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("cannot be opened with this passphrase");
    const before = await fs.readFile(path.join(dataDir, "ca", "enrollment-ca.pem"), "utf8");
    const reissued = cli(dataDir, ["ca", "reissue", "--root-key", moved, "--passphrase-stdin"], passphrase);
    expect(reissued.code).toBe(0);
    expect(await fs.readFile(path.join(dataDir, "ca", "enrollment-ca.pem"), "utf8")).not.toBe(before);
    // Five CLI runs and a start, each creating or reading the CA: over a minute on a loaded 2-core machine.
  }, 120_000);

  it("exits with code 2 and names the variable when the settings are invalid", async () => {
    const result = await run({ RMS_SLC_VALIDITY_DAYS: "0", RMS_ENROLLMENT_DATA_DIR: path.join(tmp, "bad") });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("RMS_SLC_VALIDITY_DAYS");
  });

  it("refuses to start on a damaged CA folder instead of making a new root", async () => {
    const dataDir = path.join(tmp, "damaged");
    await fs.mkdir(path.join(dataDir, "ca"), { recursive: true, mode: 0o700 });
    await fs.writeFile(path.join(dataDir, "ca", "root.pem"), "not a certificate");
    const result = await run({ RMS_ENROLLMENT_PORT: "0", RMS_ENROLLMENT_DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("incomplete");
    expect(await fs.readdir(path.join(dataDir, "ca"))).toEqual(["root.pem"]);
  });

  it("runs operator commands on the store when the service is stopped, and refuses garbage with usage", () => {
    const dataDir = path.join(tmp, "ok");
    expect(cli(dataDir, ["operators", "list"]).stdout).toContain('"name": "alice"');
    expect(JSON.parse(cli(dataDir, ["requests", "list"]).stdout)).toEqual([]);
    const garbage = cli(dataDir, ["requests", "approve", "../../etc/passwd"]);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain("32 hexadecimal characters");
    const unknown = cli(dataDir, ["launch", "missiles"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown command");
    const missing = cli(dataDir, ["requests", "approve", "0".repeat(32)]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("There is no submission");
    const weak = cli(dataDir, ["operators", "add", "bob", "--password-stdin"], "short");
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain("at least 12 characters");
  });
});
