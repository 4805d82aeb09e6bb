/** @jsxImportSource hono/jsx */
// The enrollment service's HTTP surface on Hono: Host allow-list (421), security headers with a hashed stylesheet,
// per-client rate limit on writes (429), counted body limits (413, chunked uploads too), then one handler per route.
// The client is the socket's peer, or the address a trusted proxy (RMS_TRUSTED_PROXIES) names in X-Forwarded-For.
// The online API's limit is per client *lane* (./routes/api-enroll.ts): one address's registered clusters each get
// their own, so a local process flooding the service does not rate-limit the console's renewals.
import { createHash } from "node:crypto";
import { getConnInfo } from "@hono/node-server/conninfo";
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie } from "hono/cookie";
import { secureHeaders } from "hono/secure-headers";
import { REQUEST_XML_CAPS } from "@/lib/core/certificates/renewal-request";
import { clientAddress, trustedProxyList } from "@/lib/platform/http/request-gate";
import { resolveLocale } from "@/lib/platform/i18n/locales";
import { translatorFor } from "@/lib/platform/i18n/messages";
import { apiEnroll } from "./routes/api-enroll";
import { apiRenewalInfo } from "./routes/api-renewal-info";
import { certificate } from "./routes/certificate";
import { caPem, crl, slcStatus } from "./routes/crl";
import { favicon } from "./routes/favicon";
import { healthz } from "./routes/healthz";
import { home } from "./routes/home";
import { ENROLLMENT_LOCALE_COOKIE, language } from "./routes/language";
import { metrics } from "./routes/metrics";
import { operatorDecide, operatorRejectPending } from "./routes/operator-decide";
import { operatorRequests } from "./routes/operator-requests";
import { operatorRevoke } from "./routes/operator-revoke";
import { operatorSignIn, operatorSignInPage } from "./routes/operator-sign-in";
import { operatorSignOut } from "./routes/operator-sign-out";
import { requestLookup } from "./routes/request-lookup";
import { rootPem } from "./routes/root-pem";
import { submission } from "./routes/submission";
import { webSubmit } from "./routes/web-submit";
import { type AppContext, type AppEnv, apiError, type ServiceDeps } from "./web/context";
import { PAGE_CSS } from "./web/layout";
import { HomePage, MessagePage } from "./web/pages";

// Multipart framing (boundaries, part headers) on top of the request file's own cap.
const MULTIPART_OVERHEAD_BYTES = 16 * 1024;
const FORM_LIMIT_BYTES = 8 * 1024;

function isApi(c: AppContext): boolean {
  return c.req.path.startsWith("/api/");
}

export function createApp(deps: ServiceDeps, allowedHost: (host: string | undefined) => boolean) {
  const app = new Hono<AppEnv>();
  const styleHash = `'sha256-${createHash("sha256").update(PAGE_CSS, "utf8").digest("base64")}'`;
  const trusted = trustedProxyList(deps.config.trustedProxies ?? []);

  app.use(async (c, next) => {
    if (!allowedHost(c.req.header("host"))) {
      c.header("Connection", "close");
      return c.text("421 Misdirected Request: this service does not answer for that host name.\n", 421);
    }
    // The header's language switch wins (its cookie), else the browser's preference.
    const locale = resolveLocale(getCookie(c, ENROLLMENT_LOCALE_COOKIE), c.req.header("accept-language"));
    c.set("locale", locale);
    c.set("t", translatorFor(locale));
    let client: string | null = null;
    try {
      client = clientAddress(getConnInfo(c).remote.address, c.req.header("x-forwarded-for"), trusted);
    } catch {
      client = null;
    }
    c.set("client", client);
    await next();
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  });
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        styleSrc: [styleHash],
        scriptSrc: ["'none'"],
        imgSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: "same-origin",
      crossOriginResourcePolicy: "same-origin",
      strictTransportSecurity: "max-age=31536000",
    }),
  );

  const rateLimited: MiddlewareHandler<AppEnv> = async (c, next) => {
    const wait = deps.limiter.take(c.var.client ?? "unknown");
    if (wait === 0) return next();
    c.header("Retry-After", String(wait));
    c.header("Connection", "close");
    await deps.desk.record(deps.db, {
      channel: isApi(c) ? "api" : "web",
      outcome: "refused",
      status: 429,
      reason: "rate_limited",
      remoteAddress: c.var.client,
    });
    if (isApi(c)) return apiError(c, 429, "rate_limited", `Too many requests from this address; try again in ${wait} s.`);
    return c.html(<MessagePage locale={c.var.locale} t={c.var.t} kind="rate_limited" retryAfterSeconds={wait} />, 429);
  };

  const limit = (maxSize: number): MiddlewareHandler<AppEnv> =>
    bodyLimit({
      maxSize,
      onError: async (c) => {
        const ctx = c as AppContext;
        c.header("Connection", "close");
        await deps.desk.record(deps.db, {
          channel: isApi(ctx) ? "api" : "web",
          outcome: "refused",
          status: 413,
          reason: "too_large",
          remoteAddress: ctx.var.client,
        });
        if (isApi(ctx)) {
          return apiError(
            ctx,
            413,
            "too_large",
            `The request is larger than ${REQUEST_XML_CAPS.bytes} bytes; a renewal request is far smaller. Send the file exported by the console.`,
          );
        }
        return ctx.html(
          <HomePage
            locale={ctx.var.locale}
            t={ctx.var.t}
            rootFingerprint={deps.rootFingerprint}
            error={{ message: ctx.var.t("reason.too_large") }}
          />,
          413,
        );
      },
    });

  app.post("/api/enroll", limit(REQUEST_XML_CAPS.bytes), apiEnroll(deps));
  app.get("/api/renewal-info/:guid", apiRenewalInfo(deps));
  app.get("/api/slc-status/:serial", slcStatus(deps));
  app.get("/crl", crl(deps));
  app.get("/ca.pem", caPem(deps));
  app.get("/healthz", healthz(deps));
  app.get("/metrics", metrics(deps));
  app.get("/root.pem", rootPem(deps));
  app.get("/favicon.svg", favicon());
  app.get("/favicon.ico", (c) => c.redirect("/favicon.svg", 301));
  app.get("/", home(deps));
  app.post("/language", limit(FORM_LIMIT_BYTES), language());
  app.post("/submissions", rateLimited, limit(REQUEST_XML_CAPS.bytes + MULTIPART_OVERHEAD_BYTES), webSubmit(deps));
  app.get("/submissions/:id", submission(deps));
  app.get("/submissions/:id/certificate", certificate(deps));
  app.get("/requests", requestLookup(deps));
  app.get("/operator/sign-in", operatorSignInPage(deps));
  app.post("/operator/sign-in", rateLimited, limit(FORM_LIMIT_BYTES), operatorSignIn(deps));
  app.post("/operator/sign-out", limit(FORM_LIMIT_BYTES), operatorSignOut(deps));
  app.get("/operator", operatorRequests(deps));
  app.post("/operator/submissions/:id/:decision", limit(FORM_LIMIT_BYTES), operatorDecide(deps));
  app.post("/operator/reject-pending", limit(FORM_LIMIT_BYTES), operatorRejectPending(deps));
  app.post("/operator/slcs/:serial/revoke", limit(FORM_LIMIT_BYTES), operatorRevoke(deps));

  app.notFound((c) => {
    if (isApi(c)) return apiError(c, 404, "not_found", "There is no API at this address; online renewal is POST /api/enroll.");
    return c.html(<MessagePage locale={c.var.locale} t={c.var.t} kind="not_found" />, 404);
  });
  app.onError((error, c) => {
    deps.logError(`${c.req.method} ${c.req.path} failed`, error);
    if (isApi(c)) {
      return apiError(
        c,
        500,
        "internal_error",
        "The enrollment service failed unexpectedly; its administrator can find the cause in its log.",
      );
    }
    return c.html(<MessagePage locale={c.var.locale ?? "en"} t={c.var.t ?? translatorFor("en")} kind="server_error" />, 500);
  });
  return app;
}
