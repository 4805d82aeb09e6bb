// The console's route handlers over HTTP and the enrollment service's API over HTTPS, verified with its root (no server
// actions here: those are sent by the browser, see ./browser.ts).
import fs from "node:fs";
import { request } from "../../support/https-client";

/** Offline Export through the route handler; returns the request document and its request id. */
export async function exportRequest(baseUrl: string, clusterId: string, cookie: string): Promise<{ xml: string; requestId: string }> {
  const response = await fetch(`${baseUrl}/clusters/${clusterId}/renewal-request`, {
    method: "POST",
    headers: { Origin: baseUrl, Cookie: cookie },
  });
  const xml = await response.text();
  if (response.status !== 200) throw new Error(`export: HTTP ${response.status} ${xml.slice(0, 300)}`);
  const requestId = /<RequestId>([^<]+)</.exec(xml)?.[1];
  if (!requestId) throw new Error("export: no RequestId");
  return { xml, requestId };
}

/** What the admin does on the enrollment station: have the request signed (here through its API, TLS verified with `rootPath`). */
export async function enrollDirect(enrollmentUrl: string, requestXml: string, rootPath: string): Promise<string> {
  const response = await request(`${enrollmentUrl}/api/enroll`, {
    method: "POST",
    headers: { "Content-Type": "application/xml" },
    body: requestXml,
    ca: fs.readFileSync(rootPath, "utf8"),
  });
  const body = response.text();
  if (response.status !== 200) throw new Error(`enroll: HTTP ${response.status} ${body.slice(0, 300)}`);
  return body;
}
