// The console's HTTP server: Next's request handler behind the request gate (lib/platform/http/request-gate.ts), so the client
// address and body size are settled by plain Node code before the framework runs, without patching Node's prototypes.
// `npm start` (scripts/start.ts) runs it with NODE_ENV=production; `npm run dev` with --dev.
import http from "node:http";
import next from "next";
import { loadEnv } from "@/lib/console/env";
import { captureRootContext } from "@/lib/platform/db/outside-requests";
import { BODY_LIMIT_BYTES, checkReplayShape, gate, trustedProxyList } from "@/lib/platform/http/request-gate";
import { withResponseStatus } from "@/lib/platform/http/response-status";

async function main(): Promise<void> {
  const loaded = loadEnv(process.env);
  if (!loaded.ok) {
    console.error(loaded.message);
    process.exit(2);
  }
  const { HOST: hostname, PORT: port, RMS_TRUSTED_PROXIES, publicUrl } = loaded.env;
  // The gate's replayed request (a chunked upload, counted) is built by hand: fail now if this Node builds it otherwise.
  checkReplayShape();
  // Everything the console writes (the embedded database, keys, logs) is private to its user.
  process.umask(0o077);
  // The context, outside any request, in which long-lived resources such as database connections are opened.
  captureRootContext();
  const dev = process.argv.includes("--dev");
  const app = next({ dev, hostname, port, dir: process.cwd() });
  const handle = app.getRequestHandler();
  await app.prepare();
  const options = { trustedProxies: trustedProxyList(RMS_TRUSTED_PROXIES), publicUrl, bodyLimitBytes: BODY_LIMIT_BYTES };
  const server = http.createServer((request, response) => {
    // A page that refuses (403) or finds nothing (404) renders its own HTML and names its status (lib/platform/http/response-status.ts).
    gate(request, response, options, (gated) => void withResponseStatus(response, () => handle(gated, response))).catch(
      (error: unknown) => {
        console.error(error);
        if (!response.headersSent) response.writeHead(500).end();
      },
    );
  });
  if (dev) server.on("upgrade", (request, socket, head) => void app.getUpgradeHandler()(request, socket, head));
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  server.listen(port, hostname, () => console.log(`▲ Next.js console ready on http://${hostname}:${port}`));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
