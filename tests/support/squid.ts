// Debian's squid as the organisation's forward proxy, for the RMS proxy settings tests: a temporary folder of its own
// (configuration, hosts file, logs), in the foreground so the test owns the process. One process, two ports: `open`
// (no authentication) and `basic` (Basic, one user from an htpasswd file). Its hosts file resolves names that nothing
// else on this machine resolves, so a client that reaches such a host reached it through the proxy. CONNECT is allowed
// only to the listed ports (any other: 403).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, portOpen } from "./processes";

const SQUID_BINARY = process.env.SQUID_PATH ?? "/usr/sbin/squid";
const NCSA_HELPER = "/usr/lib/squid/basic_ncsa_auth";

export interface SquidOptions {
  /** Host names only the proxy resolves, to the address it connects to. */
  hosts: Record<string, string>;
  /** The ports CONNECT may reach. */
  connectPorts: number[];
  user: string;
  password: string;
}

export interface RunningSquid {
  openPort: number;
  basicPort: number;
  /** The access log so far (squid's native format: one line per request, "CONNECT host:port" included). */
  accessLog(): string;
  stop(): Promise<void>;
}

export async function startSquid(opts: SquidOptions): Promise<RunningSquid> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-squid-"));
  // Run as root, squid drops to its own user ("proxy"), which must write the logs here.
  fs.chmodSync(dir, 0o777);
  const [openPort, basicPort] = [await freePort(), await freePort()];
  const hash = spawnSync("openssl", ["passwd", "-1", "-stdin"], { input: opts.password, encoding: "utf8" });
  if (hash.status !== 0) throw new Error(`openssl passwd failed: ${hash.stderr}`);
  fs.writeFileSync(path.join(dir, "passwd"), `${opts.user}:${hash.stdout.trim()}\n`, { mode: 0o644 });
  fs.writeFileSync(
    path.join(dir, "hosts"),
    Object.entries(opts.hosts)
      .map(([name, address]) => `${address} ${name}\n`)
      .join(""),
  );
  const config = [
    `http_port 127.0.0.1:${openPort} name=open`,
    `http_port 127.0.0.1:${basicPort} name=basic`,
    `pid_filename ${path.join(dir, "squid.pid")}`,
    `cache_log ${path.join(dir, "cache.log")}`,
    `access_log stdio:${path.join(dir, "access.log")}`,
    `coredump_dir ${dir}`,
    `hosts_file ${path.join(dir, "hosts")}`,
    "cache deny all",
    "cache_mem 4 MB",
    "visible_hostname rms-test-proxy",
    "shutdown_lifetime 0 seconds",
    `auth_param basic program ${NCSA_HELPER} ${path.join(dir, "passwd")}`,
    "auth_param basic children 1 startup=1 idle=1",
    "auth_param basic realm RMS test proxy",
    "acl viaOpen myportname open",
    "acl authenticated proxy_auth REQUIRED",
    `acl allowedPorts port ${opts.connectPorts.join(" ")}`,
    "acl CONNECT method CONNECT",
    "http_access deny CONNECT !allowedPorts",
    "http_access allow viaOpen",
    "http_access allow authenticated",
    "http_access deny all",
    "",
  ].join("\n");
  const configPath = path.join(dir, "squid.conf");
  fs.writeFileSync(configPath, config);
  const child: ChildProcess = spawn(SQUID_BINARY, ["-N", "-f", configPath], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let running = true;
  void exited.then(() => {
    running = false;
  });
  const read = (name: string) => (fs.existsSync(path.join(dir, name)) ? fs.readFileSync(path.join(dir, name), "utf8") : "");
  const deadline = Date.now() + 20_000;
  while (!((await portOpen(openPort)) && (await portOpen(basicPort)))) {
    if (!running || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`squid did not start:\n${stderr}${read("cache.log")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    openPort,
    basicPort,
    accessLog: () => read("access.log"),
    stop: async () => {
      if (running) {
        child.kill("SIGKILL");
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
