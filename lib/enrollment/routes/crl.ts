// GET /crl: the signed revocation list (X.509 CRL, DER) of the SLCs this service revoked; GET /ca.pem: the issuing CA
// certificate that signs it (it chains to the root the consoles trust); GET /api/slc-status/<serial>: one SLC's status,
// read from the same snapshot the current CRL was built from (so it is what the CRL says, and names that CRL).
import { issuedSerialExists, SLC_SERIAL } from "../revocations";
import { type AppContext, apiError, attachment, type ServiceDeps } from "../web/context";

export function crl(deps: ServiceDeps) {
  return async (c: AppContext) => {
    const current = await deps.crl.current();
    c.header("Content-Type", "application/pkix-crl");
    c.header("Content-Disposition", attachment("rms-enrollment.crl"));
    c.header("Last-Modified", current.thisUpdate.toUTCString());
    c.header("Expires", current.nextUpdate.toUTCString());
    c.header("Cache-Control", "no-cache");
    return c.body(current.der.slice().buffer);
  };
}

export function caPem(deps: ServiceDeps) {
  return (c: AppContext) => {
    c.header("Content-Type", "application/x-pem-file");
    c.header("Content-Disposition", attachment("enrollment-ca.pem"));
    return c.body(deps.crl.issuerCertPem);
  };
}

export function slcStatus(deps: ServiceDeps) {
  return async (c: AppContext) => {
    const serial = c.req.param("serial") ?? "";
    if (!SLC_SERIAL.test(serial)) {
      return apiError(c, 400, "bad_serial", "An SLC serial is 32 hexadecimal digits, as the certificate's serial-number shows it.");
    }
    const wanted = serial.toUpperCase();
    const current = await deps.crl.current();
    const entry = current.entries.find((e) => e.serial === wanted);
    const issued = entry !== undefined || (await issuedSerialExists(deps.db, wanted));
    if (!issued) return apiError(c, 404, "not_found", `This service issued no SLC with serial ${wanted}.`);
    return c.json({
      serial: wanted,
      status: entry ? "revoked" : "good",
      ...(entry ? { reason: entry.reason, revokedAt: entry.revokedAt.toISOString() } : {}),
      // The signed source of this answer: the CRL at /crl with these dates says the same.
      crl: { url: "/crl", thisUpdate: current.thisUpdate.toISOString(), nextUpdate: current.nextUpdate.toISOString() },
    });
  };
}
