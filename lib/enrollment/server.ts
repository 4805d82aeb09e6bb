// The enrollment service process: node:http routes for online renewal (API), the offline web site, and the root certificate download.
import { X509Certificate } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { z } from "zod";
import type { RequestRejectReason } from "@/lib/certificates/renewal-request";
import { slcFileName } from "@/lib/certificates/slc";
import { type Locale, negotiateLocale } from "@/lib/i18n/locales";
import { translatorFor } from "@/lib/i18n/messages";
import { MAX_XML_BYTES } from "@/lib/xml/safe-xml";
import { type CaMaterial, createCaHierarchy } from "./ca";
import { type EnrollmentConfig, MAX_VALIDITY_DAYS } from "./config";
import {
  attachment,
  closeAfterResponse,
  isSameOriginOrUnknown,
  mediaType,
  readBody,
  remoteAddress,
  send,
  sendApiError,
  sendJson,
  styleHash,
} from "./http";
import { createIssuePool } from "./issue-pool";
import { PAGE_CSS, type PageError, rejectionMessageKey, renderHomePage, renderMessagePage, renderSubmissionPage } from "./pages";
import {
  type CreateCa,
  type IssuedSlcRecord,
  loadOrCreateCa,
  newSubmissionId,
  SlcArchive,
  SubmissionLog,
  type SubmissionLogEntry,
} from "./store";

export interface EnrollmentServiceConfig extends EnrollmentConfig {
  /** Whole-request deadline (headers and body) for slow clients; 10 s by default. */
  requestTimeoutMs?: number;
  /** The service's clock (tests pin it); new Date() by default. */
  clock?: () => Date;
  /** How a missing CA hierarchy is created; createCaHierarchy by default. */
  createCa?: CreateCa;
  /** Worker threads that verify requests and sign SLCs (0, the default: on the main thread). */
  issueWorkers?: number;
  /** Where unexpected errors are reported; stderr by default. */
  logError?: (message: string, error: unknown) => void;
}

export interface EnrollmentService {
  url: string;
  rootFingerprint: string;
  /** True when this start created the CA hierarchy (first start on this data folder). */
  caCreated: boolean;
  /** When the signing certificate expires: SLCs signed after that no longer chain to a valid certificate. */
  serviceCertificateValidUntil: Date;
  /** Worker threads issuing SLCs (0: the main thread issues). */
  issueWorkers: number;
  close(): Promise<void>;
}

const API_CONTENT_TYPES = new Set(["application/xml", "text/xml"]);
// Multipart framing (boundaries, part headers) on top of the request file's own cap.
const MULTIPART_OVERHEAD_BYTES = 16 * 1024;
const HTML = "text/html; charset=utf-8";
const PAGE_STYLE_SOURCES = [styleHash(PAGE_CSS)];
const SUBMISSION_PATH = /^\/submissions\/([0-9a-f]{32})(\/certificate)?$/;

type Channel = "api" | "web";

const validityDaysParam = z.coerce.number().int().min(1).max(MAX_VALIDITY_DAYS);

/** The optional `?validityDays=` of POST /api/enroll: absent means the service's policy. */
function requestedValidityDays(url: string | undefined): { ok: true; days: number | undefined } | { ok: false } {
  const raw = new URL(url ?? "/", "http://enrollment.invalid").searchParams.get("validityDays");
  if (raw === null) return { ok: true, days: undefined };
  const parsed = validityDaysParam.safeParse(raw.trim() === "" ? Number.NaN : raw);
  return parsed.success ? { ok: true, days: parsed.data } : { ok: false };
}

interface Outcome {
  status: number;
  reason: string | null;
  bytes: number | null;
}

export async function startEnrollmentService(config: EnrollmentServiceConfig): Promise<EnrollmentService> {
  const clock = config.clock ?? (() => new Date());
  const logError =
    config.logError ??
    ((message: string, error: unknown) => {
      console.error(`[enrollment] ${message}:`, error);
    });
  const loaded = await loadOrCreateCa({
    dataDir: config.dataDir,
    organization: config.issuerName,
    createCa: config.createCa ?? createCaHierarchy,
    now: clock(),
  });
  const ca: CaMaterial = loaded.material;
  const log = new SubmissionLog(config.dataDir);
  const archive = new SlcArchive(config.dataDir);
  const requestTimeoutMs = config.requestTimeoutMs ?? 10_000;
  const pool = await createIssuePool(ca, config.issueWorkers ?? 0, logError);

  const logSubmission = (req: IncomingMessage, channel: Channel, entry: Partial<SubmissionLogEntry> & Outcome) =>
    log
      .append({
        time: clock().toISOString(),
        remoteAddress: remoteAddress(req),
        channel,
        outcome: entry.status < 300 || entry.status === 303 ? "issued" : "rejected",
        status: entry.status,
        reason: entry.reason,
        bytes: entry.bytes,
        serverName: entry.serverName ?? null,
        guid: entry.guid ?? null,
        requestId: entry.requestId ?? null,
        keyFingerprint: entry.keyFingerprint ?? null,
        slcSerial: entry.slcSerial ?? null,
        submissionId: entry.submissionId ?? null,
      })
      .catch((error: unknown) => logError("cannot append to the submissions log", error));

  type Issued =
    | { ok: true; record: IssuedSlcRecord; slcXml: string }
    | { ok: false; status: 400 | 413 | 422; reason: RequestRejectReason; detail: string };

  /** Verifies and signs one request, stores the SLC, and logs the submission whatever the outcome. */
  async function issueAndRecord(req: IncomingMessage, channel: Channel, body: Uint8Array, validityDays: number): Promise<Issued> {
    const result = await pool.issue(body, { validityDays, issuerName: config.issuerName, now: clock() });
    if (!result.ok) {
      await logSubmission(req, channel, { status: result.status, reason: result.reason, bytes: body.length });
      return { ok: false, status: result.status, reason: result.reason, detail: result.detail };
    }
    const { request, slc } = result;
    const record: IssuedSlcRecord = {
      id: newSubmissionId(),
      channel,
      serverName: request.serverName,
      clusterUrl: request.clusterUrl,
      guid: slc.serverGuid,
      keyFingerprint: result.keyFingerprint,
      requestId: request.requestId,
      serialNumber: slc.serialNumber,
      issuedAt: slc.issuedAt.toISOString(),
      validFrom: slc.validFrom.toISOString(),
      validUntil: slc.validUntil.toISOString(),
      issuerName: slc.issuerName,
    };
    await archive.save(record, result.slcXml);
    await logSubmission(req, channel, {
      status: channel === "api" ? 200 : 303,
      reason: null,
      bytes: body.length,
      serverName: record.serverName,
      guid: record.guid,
      requestId: record.requestId,
      keyFingerprint: record.keyFingerprint,
      slcSerial: record.serialNumber,
      submissionId: record.id,
    });
    return { ok: true, record, slcXml: result.slcXml };
  }

  // ---------- API ----------

  async function handleApiEnroll(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const type = mediaType(req.headers["content-type"]);
    if (!API_CONTENT_TYPES.has(type)) {
      await logSubmission(req, "api", { status: 415, reason: "unsupported_media_type", bytes: null });
      sendApiError(res, 415, "unsupported_media_type", "Send the renewal request as XML with Content-Type: application/xml.");
      return;
    }
    const requested = requestedValidityDays(req.url);
    if (!requested.ok) {
      await logSubmission(req, "api", { status: 400, reason: "bad_validity", bytes: null });
      sendApiError(res, 400, "bad_validity", `validityDays must be a whole number of days between 1 and ${MAX_VALIDITY_DAYS}.`);
      return;
    }
    // A caller may ask for a shorter validity (the demo's first SLC), never a longer one than this service's policy.
    const validityDays = Math.min(requested.days ?? config.validityDays, config.validityDays);
    const body = await readBody(req, MAX_XML_BYTES);
    if (!body.ok) {
      if (body.reason === "aborted") return;
      await logSubmission(req, "api", { status: 413, reason: "too_large", bytes: null });
      closeAfterResponse(res);
      sendApiError(
        res,
        413,
        "too_large",
        `The request is larger than ${MAX_XML_BYTES} bytes; a renewal request is far smaller. Send the file exported by the console.`,
      );
      return;
    }
    const issued = await issueAndRecord(req, "api", body.body, validityDays);
    if (!issued.ok) {
      const key = rejectionMessageKey(issued.reason);
      sendApiError(res, issued.status, issued.reason, `${translatorFor("en")(key)} (${issued.detail})`);
      return;
    }
    send(res, 200, "application/xml; charset=utf-8", issued.slcXml, {
      "X-Submission-Id": issued.record.id,
      "X-Slc-Serial": issued.record.serialNumber,
    });
  }

  // ---------- web site ----------

  function sendHome(res: ServerResponse, locale: Locale, status = 200, error?: PageError): void {
    send(res, status, HTML, renderHomePage({ locale, rootFingerprint: loaded.rootFingerprint, error }), {}, PAGE_STYLE_SOURCES);
  }

  async function handleWebSubmission(req: IncomingMessage, res: ServerResponse, locale: Locale): Promise<void> {
    const t = translatorFor(locale);
    if (!isSameOriginOrUnknown(req)) {
      await logSubmission(req, "web", { status: 403, reason: "cross_origin", bytes: null });
      sendHome(res, locale, 403, { message: t("enrollment.errorCrossOrigin") });
      return;
    }
    const contentType = req.headers["content-type"];
    if (mediaType(contentType) !== "multipart/form-data" || contentType === undefined) {
      await logSubmission(req, "web", { status: 415, reason: "not_multipart", bytes: null });
      sendHome(res, locale, 415, { message: t("enrollment.errorNotMultipart") });
      return;
    }
    const body = await readBody(req, MAX_XML_BYTES + MULTIPART_OVERHEAD_BYTES);
    if (!body.ok) {
      if (body.reason === "aborted") return;
      await logSubmission(req, "web", { status: 413, reason: "too_large", bytes: null });
      closeAfterResponse(res);
      sendHome(res, locale, 413, { message: t("reason.too_large") });
      return;
    }
    let file: Uint8Array | null = null;
    try {
      const form = await new Request("http://enrollment.invalid/submissions", {
        method: "POST",
        headers: { "content-type": contentType },
        body: new Uint8Array(body.body),
      }).formData();
      const entry = form.get("request");
      if (entry !== null && typeof entry !== "string" && entry.size > 0) file = new Uint8Array(await entry.arrayBuffer());
    } catch {
      await logSubmission(req, "web", { status: 400, reason: "malformed_form", bytes: body.body.length });
      sendHome(res, locale, 400, { message: t("enrollment.errorNotMultipart") });
      return;
    }
    if (file === null) {
      await logSubmission(req, "web", { status: 400, reason: "no_file", bytes: body.body.length });
      sendHome(res, locale, 400, { message: t("enrollment.errorNoFile") });
      return;
    }
    const issued = await issueAndRecord(req, "web", file, config.validityDays);
    if (!issued.ok) {
      sendHome(res, locale, issued.status, {
        message: t(rejectionMessageKey(issued.reason)),
        detail: issued.detail,
      });
      return;
    }
    res.writeHead(303, { Location: `/submissions/${issued.record.id}`, "Cache-Control": "no-store", "Content-Length": "0" });
    res.end();
  }

  async function handleSubmissionPage(res: ServerResponse, locale: Locale, id: string, certificate: boolean): Promise<void> {
    const stored = await archive.load(id);
    if (stored === null) {
      send(res, 404, HTML, renderMessagePage({ locale, kind: "not_found" }), {}, PAGE_STYLE_SOURCES);
      return;
    }
    if (certificate) {
      send(res, 200, "application/xml; charset=utf-8", stored.slcXml, {
        "Content-Disposition": attachment(slcFileName(stored.record.serverName)),
      });
      return;
    }
    send(res, 200, HTML, renderSubmissionPage({ locale, record: stored.record }), {}, PAGE_STYLE_SOURCES);
  }

  // ---------- routing ----------

  function methodNotAllowed(res: ServerResponse, allow: string, api: boolean, locale: Locale): void {
    if (api) {
      sendApiError(res, 405, "method_not_allowed", `Use ${allow} for this address.`, { Allow: allow });
    } else {
      send(res, 405, HTML, renderMessagePage({ locale, kind: "not_found" }), { Allow: allow }, PAGE_STYLE_SOURCES);
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const locale = negotiateLocale(req.headers["accept-language"]);
    let pathname: string;
    try {
      pathname = new URL(req.url ?? "/", "http://enrollment.invalid").pathname;
    } catch {
      sendApiError(res, 400, "bad_url", "The request address could not be read.");
      return;
    }
    const isRead = method === "GET" || method === "HEAD";

    if (pathname === "/api/enroll") {
      if (method !== "POST") return methodNotAllowed(res, "POST", true, locale);
      return handleApiEnroll(req, res);
    }
    if (pathname === "/healthz") {
      if (!isRead) return methodNotAllowed(res, "GET, HEAD", true, locale);
      return sendJson(res, 200, { status: "ok", rootFingerprint: loaded.rootFingerprint });
    }
    if (pathname === "/root.pem") {
      if (!isRead) return methodNotAllowed(res, "GET, HEAD", true, locale);
      return send(res, 200, "application/x-pem-file", ca.rootCertPem, {
        "Content-Disposition": attachment("enrollment-root.pem"),
      });
    }
    if (pathname === "/") {
      if (!isRead) return methodNotAllowed(res, "GET, HEAD", false, locale);
      return sendHome(res, locale);
    }
    if (pathname === "/submissions") {
      if (method !== "POST") return methodNotAllowed(res, "POST", false, locale);
      return handleWebSubmission(req, res, locale);
    }
    const submission = SUBMISSION_PATH.exec(pathname);
    if (submission?.[1] !== undefined) {
      if (!isRead) return methodNotAllowed(res, "GET, HEAD", false, locale);
      return handleSubmissionPage(res, locale, submission[1], submission[2] !== undefined);
    }
    if (pathname.startsWith("/api/")) {
      return sendApiError(res, 404, "not_found", "There is no API at this address; online renewal is POST /api/enroll.");
    }
    send(res, 404, HTML, renderMessagePage({ locale, kind: "not_found" }), {}, PAGE_STYLE_SOURCES);
  }

  const server = http.createServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout: requestTimeoutMs,
      keepAliveTimeout: 5_000,
      // How often the deadlines above are enforced; Node's default (30 s) would let slow clients linger.
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(requestTimeoutMs / 4))),
    },
    (req, res) => {
      route(req, res).catch((error: unknown) => {
        logError(`${req.method ?? "?"} ${req.url ?? "?"} failed`, error);
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const locale = negotiateLocale(req.headers["accept-language"]);
        if ((req.url ?? "").startsWith("/api/")) {
          sendApiError(
            res,
            500,
            "internal_error",
            "The enrollment service failed unexpectedly; its administrator can find the cause in its log.",
          );
        } else {
          send(res, 500, HTML, renderMessagePage({ locale, kind: "server_error" }), {}, PAGE_STYLE_SOURCES);
        }
      });
    },
  );

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => {
      void pool.close();
      reject(error);
    };
    server.once("error", onError);
    server.listen(config.port, config.host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  const bareHost = config.host.replace(/^\[|\]$/g, "");
  const url = `http://${bareHost.includes(":") ? `[${bareHost}]` : bareHost}:${port}`;

  let closing: Promise<void> | null = null;
  return {
    url,
    rootFingerprint: loaded.rootFingerprint,
    caCreated: loaded.created,
    issueWorkers: pool.size,
    serviceCertificateValidUntil: new Date(new X509Certificate(ca.serviceCertPem).validTo),
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests in flight get a moment to finish; then the remaining connections are dropped.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      })
        .then(() => pool.close())
        .then(() => log.flush());
      return closing;
    },
  };
}
