// Tools nobody here wrote must agree: Debian xmlsec1 verifies our signed files (and rejects one changed byte), openssl our chain.
import { execFileSync, spawnSync } from "node:child_process";
import { createPublicKey, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectEnvelopedSignature, readXmlDocument, verifyEnvelopedSignature } from "@/lib/core/xml/xml-signature";
import { buildTestRenewalRequest, createUntrustedTestPki, issueTestSlc, type TestSlc } from "../../../tests/support/certificate-fixtures";
import { REQUEST_ROOT } from "./renewal-request";
import { SLC_ROOT } from "./slc";

let dir: string;
let slc: TestSlc;
let requestXml: string;

function run(cmd: string, args: string[]): { code: number; output: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 30_000 });
  if (r.error) throw new Error(`${cmd} could not run (${r.error.message}); install it with: apt-get install -y xmlsec1 openssl`);
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Changes exactly one byte inside the SignatureValue. */
function flipSignatureByte(xml: string): string {
  return xml.replace(/(<ds:SignatureValue>[A-Za-z0-9+/]{10})(.)/, (_m, head: string, c: string) => `${head}${c === "A" ? "B" : "A"}`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rms-interop-"));
  slc = await issueTestSlc();
  const request = await buildTestRenewalRequest({ serverName: 'RMS <01> & "quoted"\r\nÅäö' });
  requestXml = request.xml;
  file("cluster-public.pem", request.cluster.publicKeyPem);
  file("root.pem", slc.pki.ca.rootCertPem);
  file("ca.pem", slc.pki.ca.caCertPem);
  file("service.pem", slc.pki.ca.serviceCertPem);
  file("other-root.pem", (await createUntrustedTestPki()).ca.rootCertPem);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("xmlsec1 (Debian) on the renewal request", () => {
  it("accepts it with the cluster public key", () => {
    const r = run("xmlsec1", ["--verify", "--pubkey-pem", join(dir, "cluster-public.pem"), file("request.xml", requestXml)]);
    expect(r.output).toContain("OK");
    expect(r.code).toBe(0);
  });

  it("rejects it after one changed byte in the body", () => {
    const changed = requestXml.replace("<SKU>RMS</SKU>", "<SKU>RMT</SKU>");
    expect(changed.length).toBe(requestXml.length);
    expect(run("xmlsec1", ["--verify", "--pubkey-pem", join(dir, "cluster-public.pem"), file("request-body.xml", changed)]).code).not.toBe(
      0,
    );
  });

  it("rejects it after one changed byte in the signature value", () => {
    const changed = flipSignatureByte(requestXml);
    expect(changed).not.toBe(requestXml);
    expect(run("xmlsec1", ["--verify", "--pubkey-pem", join(dir, "cluster-public.pem"), file("request-sig.xml", changed)]).code).not.toBe(
      0,
    );
  });
});

describe("xmlsec1 (Debian) on the SLC", () => {
  it("accepts it, building the chain from KeyInfo to the trusted root", () => {
    const r = run("xmlsec1", ["--verify", "--trusted-pem", join(dir, "root.pem"), file("slc.xml", slc.xml)]);
    expect(r.output).toContain("OK");
    expect(r.code).toBe(0);
  });

  it("rejects it under another root", () => {
    expect(run("xmlsec1", ["--verify", "--trusted-pem", join(dir, "other-root.pem"), join(dir, "slc.xml")]).code).not.toBe(0);
  });

  it("rejects it after one changed byte in the body, an attribute, or the signature value", () => {
    const body = slc.xml.replace("<NAME>RMS01</NAME>", "<NAME>RMS02</NAME>");
    const attribute = slc.xml.replace('version="3.0"', 'version="3.1"');
    const signature = flipSignatureByte(slc.xml);
    for (const [name, changed] of [
      ["body", body],
      ["attribute", attribute],
      ["signature", signature],
    ] as const) {
      expect(changed).not.toBe(slc.xml);
      expect(changed.length).toBe(slc.xml.length);
      expect(run("xmlsec1", ["--verify", "--trusted-pem", join(dir, "root.pem"), file(`slc-${name}.xml`, changed)]).code).not.toBe(0);
    }
  });
});

/** Our verdict on one file: the gate, the profile check, then xml-crypto's checkSignature with the given key. */
function ourVerdict(xml: string, root: string, key: KeyObject): boolean {
  const read = readXmlDocument(xml);
  if (!read.ok) return false;
  const structure = inspectEnvelopedSignature(read.doc, root);
  if (!structure.ok) return false;
  return verifyEnvelopedSignature(read.xml, structure.signature, key).ok;
}

describe("xmlsec1 and our verification (profile check + xml-crypto) agree", () => {
  it("on the request and the SLC, genuine and with one changed byte in the body, an attribute or the signature", () => {
    const serviceKey = createPublicKey(slc.pki.ca.serviceCertPem);
    const clusterKey = createPublicKey(readFileSync(join(dir, "cluster-public.pem"), "utf8"));
    const cases: Array<[string, string, string, KeyObject, string[]]> = [
      ["request", requestXml, REQUEST_ROOT, clusterKey, ["--pubkey-pem", join(dir, "cluster-public.pem")]],
      [
        "request-body",
        requestXml.replace("<SKU>RMS</SKU>", "<SKU>RMT</SKU>"),
        REQUEST_ROOT,
        clusterKey,
        ["--pubkey-pem", join(dir, "cluster-public.pem")],
      ],
      ["request-sig", flipSignatureByte(requestXml), REQUEST_ROOT, clusterKey, ["--pubkey-pem", join(dir, "cluster-public.pem")]],
      ["slc", slc.xml, SLC_ROOT, serviceKey, ["--trusted-pem", join(dir, "root.pem")]],
      [
        "slc-body",
        slc.xml.replace("<NAME>RMS01</NAME>", "<NAME>RMS02</NAME>"),
        SLC_ROOT,
        serviceKey,
        ["--trusted-pem", join(dir, "root.pem")],
      ],
      ["slc-attribute", slc.xml.replace('version="3.0"', 'version="3.1"'), SLC_ROOT, serviceKey, ["--trusted-pem", join(dir, "root.pem")]],
      ["slc-sig", flipSignatureByte(slc.xml), SLC_ROOT, serviceKey, ["--trusted-pem", join(dir, "root.pem")]],
    ];
    for (const [name, xml, root, key, args] of cases) {
      const xmlsec = run("xmlsec1", ["--verify", ...args, file(`agree-${name}.xml`, xml)]).code === 0;
      expect({ name, ours: ourVerdict(xml, root, key) }).toEqual({ name, ours: xmlsec });
    }
  });

  it("on content that nothing signs: xmlsec1 accepts it, the profile check refuses it", () => {
    const withUnsigned = slc.xml.replace("</ds:KeyInfo>", "<NAME>RMS02</NAME></ds:KeyInfo>");
    expect(withUnsigned).not.toBe(slc.xml);
    expect(run("xmlsec1", ["--verify", "--trusted-pem", join(dir, "root.pem"), file("unsigned-keyinfo.xml", withUnsigned)]).code).toBe(0);
    expect(ourVerdict(withUnsigned, SLC_ROOT, createPublicKey(slc.pki.ca.serviceCertPem))).toBe(false);
  });
});

describe("openssl", () => {
  it("verifies the enrollment chain: root → CA → service", () => {
    const out = execFileSync(
      "openssl",
      ["verify", "-CAfile", join(dir, "root.pem"), "-untrusted", join(dir, "ca.pem"), join(dir, "service.pem")],
      {
        encoding: "utf8",
      },
    );
    expect(out).toContain("service.pem: OK");
  });

  it("refuses the service certificate without the CA, or under another root", () => {
    expect(run("openssl", ["verify", "-CAfile", join(dir, "root.pem"), join(dir, "service.pem")]).code).not.toBe(0);
    expect(
      run("openssl", ["verify", "-CAfile", join(dir, "other-root.pem"), "-untrusted", join(dir, "ca.pem"), join(dir, "service.pem")]).code,
    ).not.toBe(0);
  });
});
