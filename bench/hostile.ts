// Benchmark 4: verifySlc on a valid SLC (p50) and the worst time to reject each hostile input of the verifier's attack suite.
import { buildSlc } from "@/lib/core/certificates/slc";
import { verifySlc } from "@/lib/core/certificates/verify-slc";
import { ALG_ENVELOPED, ALG_EXC_C14N } from "@/lib/core/xml/xml-signature";
import {
  createTestPki,
  createUntrustedTestPki,
  issueTestSlc,
  type RawSignOptions,
  signWithXmlCrypto,
} from "@/tests/support/certificate-fixtures";
import { type BenchResult, latency } from "./lib/results";
import { max, median, timeMsSync } from "./lib/stats";

export interface HostileOptions {
  quick: boolean;
  log: (message: string) => void;
}

const BOUND_MS = 1_000;

export async function runHostileBench(opts: HostileOptions): Promise<BenchResult[]> {
  const pki = await createTestPki();
  const untrusted = await createUntrustedTestPki();
  const good = await issueTestSlc({ pki });
  const body = good.xml.replace(/^<\?xml[^>]*\?>\s*/, "");
  const unsigned = good.xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "");
  const customSign = (xml: string, o: RawSignOptions = {}) => signWithXmlCrypto(pki.ca, xml, o);
  const evilBody =
    /<BODY[\s\S]*<\/BODY>/.exec(good.xml)?.[0].replace(good.fields.serverGuid, "{FFFFFFFF-0000-4000-8000-000000000009}") ?? "";
  const lol = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join("");
  const presets = await Promise.all(
    (["expired", "not_yet_valid", "other_key", "other_guid", "other_url", "other_request", "expired_chain"] as const).map(
      async (preset) => {
        const slc = await issueTestSlc({ pki, preset });
        return { name: `preset ${preset}`, input: slc.xml as string | Uint8Array, anchors: slc.trustAnchorsPem, expect: slc.expect };
      },
    ),
  );

  const inputs: Array<{ name: string; input: string | Uint8Array; anchors?: string[]; expect?: typeof good.expect }> = [
    { name: "tampered body", input: good.xml.replace("<NAME>RMS01</NAME>", "<NAME>RMS02</NAME>") },
    {
      name: "tampered SignatureValue",
      input: good.xml.replace(/<ds:SignatureValue>(.)(.)/, (_m, a: string, b: string) => `<ds:SignatureValue>${a}${b === "A" ? "B" : "A"}`),
    },
    { name: "signature removed", input: unsigned },
    {
      name: "reference to a child element",
      input: customSign(unsigned.replace('<BODY type="LICENSE"', '<BODY Id="body" type="LICENSE"'), {
        xpath: "//*[local-name(.)='BODY']",
        isEmptyUri: false,
      }),
    },
    {
      name: "signature wrapping",
      input: `<?xml version="1.0" encoding="UTF-8"?>\n<XrML version="1.2">${unsigned
        .replace(/^<\?xml[^>]*\?>\s*/, "")
        .replace(/^<XrML version="1.2">/, "")
        .replace(/<\/XrML>\s*$/, "")
        .replace("{", "{F")}<Wrapper>${body}</Wrapper></XrML>`,
    },
    { name: "duplicated BODY", input: good.xml.replace('<BODY type="LICENSE"', `${evilBody}\n<BODY type="LICENSE"`) },
    { name: "two signatures", input: customSign(body) },
    { name: "comment in a signed value", input: good.xml.replace("<NAME>RMS01</NAME>", "<NAME>RMS<!---->01</NAME>") },
    { name: "ds:Object smuggled", input: good.xml.replace("</ds:KeyInfo>", "</ds:KeyInfo><ds:Object><BODY/></ds:Object>") },
    { name: "untrusted root", input: buildSlc(good.fields, untrusted.signer) },
    {
      name: "self-signed",
      input: buildSlc(good.fields, { privateKeyPem: untrusted.ca.rootKeyPem, certificateChainPem: [untrusted.ca.rootCertPem] }),
    },
    {
      name: "signed by a CA key",
      input: buildSlc(good.fields, { privateKeyPem: pki.ca.caKeyPem, certificateChainPem: [pki.ca.caCertPem] }),
    },
    {
      name: "valid chain, other signing key",
      input: buildSlc(good.fields, {
        privateKeyPem: untrusted.ca.serviceKeyPem,
        certificateChainPem: [pki.ca.serviceCertPem, pki.ca.caCertPem],
      }),
    },
    { name: "no certificate", input: good.xml.replace(/<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>/, "") },
    {
      name: "RSA-SHA1",
      input: customSign(unsigned, {
        signatureAlgorithm: "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        digestAlgorithm: "http://www.w3.org/2000/09/xmldsig#sha1",
      }),
    },
    {
      name: "c14n WithComments",
      input: customSign(unsigned, { canonicalizationAlgorithm: "http://www.w3.org/2001/10/xml-exc-c14n#WithComments" }),
    },
    {
      name: "XSLT transform",
      input: good.xml.replace(
        `<ds:Transform Algorithm="${ALG_EXC_C14N}"/>`,
        `<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"/>`,
      ),
    },
    { name: "enveloped transform only", input: customSign(unsigned, { transforms: [ALG_ENVELOPED] }) },
    { name: "DOCTYPE", input: `<!DOCTYPE XrML>\n${body}` },
    {
      name: "internal entity",
      input: `<?xml version="1.0"?><!DOCTYPE XrML [<!ENTITY name "RMS01">]>\n${body.replace("<NAME>RMS01</NAME>", "<NAME>&name;</NAME>")}`,
    },
    {
      name: "external entity (XXE)",
      input: `<?xml version="1.0"?><!DOCTYPE XrML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n${body.replace("<NAME>RMS01</NAME>", "<NAME>&xxe;</NAME>")}`,
    },
    { name: "billion laughs", input: `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${lol}]><XrML>&lol9;</XrML>` },
    { name: "100k-deep nesting", input: `${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}` },
    { name: "65-deep nesting", input: `<XrML>${"<a>".repeat(65)}${"</a>".repeat(65)}</XrML>` },
    { name: "5 MB attribute", input: `<XrML a="${"x".repeat(5 * 1024 * 1024)}"/>` },
    { name: "UTF-16", input: Buffer.from(`\uFEFF${good.xml.replace('encoding="UTF-8"', 'encoding="UTF-16"')}`, "utf16le") },
    {
      name: "invalid UTF-8",
      input: Buffer.concat([Buffer.from(good.xml.slice(0, 100)), Buffer.from([0xc3, 0x28]), Buffer.from(good.xml.slice(100))]),
    },
    { name: "processing instruction", input: good.xml.replace("<BODY", '<?xml-stylesheet href="x"?><BODY') },
    { name: "truncated", input: good.xml.slice(0, good.xml.length - 20) },
    // Beyond the unit tests: the largest inputs that pass the size cap, where parsing costs the most.
    { name: "250 kB of sibling elements", input: `<XrML version="1.2">${"<a/>".repeat(62_000)}</XrML>` },
    { name: "250 kB text node", input: `<XrML version="1.2"><BODY>${"x".repeat(250_000)}</BODY></XrML>` },
    { name: "250 kB of 60-deep nests", input: `<XrML>${`${"<a>".repeat(60)}${"</a>".repeat(60)}`.repeat(600)}</XrML>` },
    { name: "signed SLC padded to 250 kB", input: customSign(unsigned.replace("</BODY>", `</BODY><PAD>${"y".repeat(240_000)}</PAD>`)) },
    ...presets,
  ];

  const repeats = opts.quick ? 3 : 10;
  const worst: Array<{ name: string; ms: number; max: number }> = [];
  for (const item of inputs) {
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      let accepted = false;
      times.push(
        timeMsSync(() => {
          accepted = verifySlc(item.input, {
            trustAnchorsPem: item.anchors ?? good.trustAnchorsPem,
            expect: item.expect ?? good.expect,
          }).ok;
        }),
      );
      if (accepted) throw new Error(`hostile input "${item.name}" was accepted`);
    }
    worst.push({ name: item.name, ms: median(times), max: max(times) });
  }
  const valid: number[] = [];
  for (let i = 0; i < (opts.quick ? 20 : 100); i++) {
    let ok = false;
    valid.push(timeMsSync(() => (ok = verifySlc(good.xml, { trustAnchorsPem: good.trustAnchorsPem, expect: good.expect }).ok)));
    if (!ok) throw new Error("the valid SLC was rejected");
  }
  worst.sort((a, b) => b.ms - a.ms);
  const top = worst[0] ?? { name: "none", ms: Number.NaN };
  opts.log(
    `hostile: ${inputs.length} inputs, worst "${top.name}" ${top.ms.toFixed(1)} ms; valid verifySlc p50 ${median(valid.slice(5)).toFixed(2)} ms`,
  );
  const genuine = median(valid.slice(5));
  return [
    latency("Import validation p50 (verifySlc, valid SLC)", genuine, "ms", "bound 1 s", BOUND_MS, null, "report-only"),
    latency(
      `Worst hostile-input rejection, p50 of the costliest input (${inputs.length} inputs × ${repeats})`,
      top.ms,
      "ms",
      "a genuine SLC's verification (verifySlc p50), ×10",
      genuine * 10,
      1,
      `slowest (p50, max): ${worst
        .slice(0, 3)
        .map((w) => `${w.name} ${w.ms.toFixed(1)} ms, ${w.max.toFixed(1)} ms`)
        .join("; ")}; genuine ${genuine.toFixed(2)} ms`,
    ),
  ];
}
