// The stack Playwright's webServer started (tests/support/e2e-stack.ts): stopping/starting its enrollment service for
// the walkthrough where it is down, restarting its console against another service, and what Chromium needs to open
// the service's HTTPS web site without a download.
import { createHash, X509Certificate } from "node:crypto";
import fs from "node:fs";
import tls, { type DetailedPeerCertificate } from "node:tls";
import { readE2eState, writeE2eState } from "../../tests/support/e2e-state";
import {
  type ConsoleOptions,
  enrollmentRootPath,
  startConsole,
  startEnrollment as startEnrollmentProcess,
  terminateGroup,
  waitForGroupGone,
  waitForHttpGone,
} from "../../tests/support/processes";

export { readE2eState as readState } from "../../tests/support/e2e-state";

export async function stopEnrollment(): Promise<void> {
  const state = readE2eState();
  terminateGroup(state.enrollmentPid);
  await waitForHttpGone(`${state.enrollmentUrl}/healthz`, 10_000);
}

export async function startEnrollment(): Promise<void> {
  const state = readE2eState();
  const port = Number(new URL(state.enrollmentUrl).port);
  // Not swept when this worker exits: the e2e stack stops it with the rest.
  const started = await startEnrollmentProcess({ dataDir: state.dataDir, port, sweep: false });
  writeE2eState({ ...state, enrollmentPid: started.pid });
}

/**
 * Restarts the stack's console against the enrollment service at `enrollmentUrl`, with the monitor's round every 10 s
 * so that its checks (a held request, a new CRL) are seen; with null, against the stack's own service, as it started.
 */
export async function restartConsole(enrollmentUrl: string | null): Promise<void> {
  const state = readE2eState();
  const options = state.consoleOptions as ConsoleOptions | undefined;
  if (!options) throw new Error("the e2e stack did not record how it started the console");
  terminateGroup(state.consolePid);
  await waitForHttpGone(`${state.consoleUrl}/sign-in`, 15_000);
  await waitForGroupGone(state.consolePid, 20_000);
  const extraEnv = enrollmentUrl ? { ...options.extraEnv, RMS_MONITOR_INTERVAL: "10s" } : options.extraEnv;
  const started = await startConsole({ ...options, extraEnv, enrollmentUrl: enrollmentUrl ?? options.enrollmentUrl, sweep: false });
  writeE2eState({ ...readE2eState(), consolePid: started.pid });
}

/**
 * Base64 SHA-256 of the SPKI of every certificate the stack's enrollment service presents, read over a TLS connection
 * verified against its root from the data folder. Chromium's --ignore-certificate-errors-spki-list matches the
 * certificates a server sends (leaf and intermediate, not the root it does not send), so the root's own hash would not
 * do; the intermediate's survives a restart of the service.
 */
export async function enrollmentSpkiHashes(): Promise<string[]> {
  const state = readE2eState();
  return servedSpkiHashes(state.enrollmentUrl, fs.readFileSync(enrollmentRootPath(state.dataDir), "utf8"));
}

/** The SPKI hashes (base64 SHA-256) of the chain an HTTPS server at `url` sends, once it verified against `rootPem`. */
export async function servedSpkiHashes(url: string, rootPem: string): Promise<string[]> {
  const { hostname, port } = new URL(url);
  const chain = await new Promise<X509Certificate[]>((resolve, reject) => {
    const socket = tls.connect({ host: hostname, port: Number(port), ca: rootPem, rejectUnauthorized: true }, () => {
      const certificates: X509Certificate[] = [];
      const seen = new Set<string>();
      let current: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      while (current?.raw && !seen.has(current.fingerprint256)) {
        seen.add(current.fingerprint256);
        certificates.push(new X509Certificate(current.raw));
        current = current.issuerCertificate;
      }
      socket.end();
      resolve(certificates);
    });
    socket.once("error", reject);
  });
  return chain.map((cert) =>
    createHash("sha256")
      .update(cert.publicKey.export({ type: "spki", format: "der" }))
      .digest("base64"),
  );
}
