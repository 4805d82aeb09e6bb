// Debian's nginx in front of the console, for the reverse-proxy walkthrough: the README's server block (section "Behind
// a reverse proxy") with the test's port, name, certificate, upstream and Host line substituted, in a temporary folder
// of its own (configuration, pid, logs, temporary files), in the foreground so the test owns the process.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { portOpen } from "./processes";
import type { TestTlsPki } from "./tls";

const NGINX_BINARY = process.env.NGINX_PATH ?? "/usr/sbin/nginx";

/** The README's nginx example: the first ```nginx block after the heading "### Behind a reverse proxy". */
function readmeNginxBlock(readmePath = path.join(process.cwd(), "README.md")): string {
  const text = fs.readFileSync(readmePath, "utf8");
  const section = text.indexOf("### Behind a reverse proxy");
  const match = section < 0 ? null : /```nginx\n([\s\S]*?)```/.exec(text.slice(section));
  if (!match?.[1]) throw new Error('README.md has no ```nginx block under "### Behind a reverse proxy"');
  return match[1];
}

export interface NginxOptions {
  /** Where nginx listens (127.0.0.1) with TLS. */
  port: number;
  serverName: string;
  /** The console's port on 127.0.0.1. */
  upstreamPort: number;
  /** The Host line's value: `$host`, `$host:$server_port` or `$http_host`. */
  host: string;
  /** The address nginx connects to the console from (proxy_bind): the proxy's, unlike the browser's. */
  bindAddress: string;
  pki: TestTlsPki;
}

function replaceOnce(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`the README's nginx block no longer contains "${from}"`);
  return text.replace(from, to);
}

/** The README's server block with the test's values, inside the http block a whole nginx.conf needs. */
function nginxConfig(opts: NginxOptions, dir: string): string {
  let server = readmeNginxBlock();
  server = replaceOnce(server, "listen 8443 ssl;", `listen 127.0.0.1:${opts.port} ssl;`);
  server = replaceOnce(server, "server_name rms.contoso.com;", `server_name ${opts.serverName};`);
  server = replaceOnce(server, "/etc/ssl/rms/fullchain.pem", path.join(dir, "fullchain.pem"));
  server = replaceOnce(server, "/etc/ssl/rms/privkey.pem", path.join(dir, "privkey.pem"));
  server = replaceOnce(
    server,
    "proxy_pass http://127.0.0.1:3000;",
    `proxy_pass http://127.0.0.1:${opts.upstreamPort};\n        proxy_bind ${opts.bindAddress};`,
  );
  server = replaceOnce(server, "proxy_set_header Host $host;", `proxy_set_header Host ${opts.host};`);
  return [
    "daemon off;",
    "worker_processes 1;",
    `pid ${path.join(dir, "nginx.pid")};`,
    `error_log ${path.join(dir, "error.log")} warn;`,
    "events { worker_connections 128; }",
    "http {",
    `    access_log ${path.join(dir, "access.log")};`,
    ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((name) => `    ${name}_temp_path ${path.join(dir, `${name}-temp`)};`),
    server,
    "}",
    "",
  ].join("\n");
}

export interface RunningNginx {
  dir: string;
  config: string;
  stop(): Promise<void>;
}

/** Starts nginx and resolves once it accepts connections; rejects with its error log if it exits first. */
export async function startNginx(opts: NginxOptions): Promise<RunningNginx> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-nginx-"));
  // Worker processes (nobody, when the test runs as root) write request bodies under this folder.
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, "fullchain.pem"), opts.pki.serverChainPem);
  fs.writeFileSync(path.join(dir, "privkey.pem"), opts.pki.serverKeyPem, { mode: 0o600 });
  const config = nginxConfig(opts, dir);
  const configPath = path.join(dir, "nginx.conf");
  fs.writeFileSync(configPath, config);
  const child: ChildProcess = spawn(NGINX_BINARY, ["-p", dir, "-e", path.join(dir, "error.log"), "-c", configPath], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let running = true;
  void exited.then(() => {
    running = false;
  });
  const errorLog = () => {
    const file = path.join(dir, "error.log");
    return `${stderr}${fs.existsSync(file) ? fs.readFileSync(file, "utf8") : ""}`;
  };
  const deadline = Date.now() + 15_000;
  while (!(await portOpen(opts.port))) {
    if (!running || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`nginx did not start on port ${opts.port}:\n${errorLog()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    dir,
    config,
    stop: async () => {
      if (running) {
        child.kill("SIGTERM");
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
