// Starts tests/support/smtp-server-process.ts as its own process on a loopback port, with a certificate from a test CA,
// and collects the messages it reports.
import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { compiledScript } from "@/lib/platform/workers/compiled-script";
import { ROOT } from "./processes";
import { createTestTlsPki } from "./tls";

interface ReceivedMail {
  secure: boolean;
  user: string | null;
  from: string | null;
  to: string[];
  raw: string;
}

export interface TestSmtpServer {
  port: number;
  /** The root that verifies the server's certificate. */
  caPem: string;
  user: string;
  password: string;
  received: ReceivedMail[];
  stop(): Promise<void>;
}

export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const pki = await createTestTlsPki({ label: "Test SMTP" });
  const user = "rms-notifier";
  const password = "smtp-password-for-tests";
  const child = spawn(process.execPath, [compiledScript(path.join("tests", "support", "smtp-server-process.ts"), ROOT)], {
    env: { ...process.env, SMTP_TLS_KEY: pki.serverKeyPem, SMTP_TLS_CERT: pki.serverChainPem, SMTP_USER: user, SMTP_PASSWORD: password },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const received: ReceivedMail[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const message = JSON.parse(line) as { listening?: number } & ReceivedMail;
      if (message.listening !== undefined) resolve(message.listening);
      else received.push(message);
    });
    child.once("exit", (code) => reject(new Error(`the SMTP server process exited (${code})`)));
  });
  return {
    port,
    caPem: pki.rootPem,
    user,
    password,
    received,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
