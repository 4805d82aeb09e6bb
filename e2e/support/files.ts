// Independent checks on downloaded files, with Debian's xmlsec1.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** Verifies a renewal request with xmlsec1, using the public key the request carries (proof of possession). */
export function xmlsecVerifiesRequest(file: string): boolean {
  const xml = fs.readFileSync(file, "utf8");
  const key = /<PublicKey>([A-Za-z0-9+/=\s]+)<\/PublicKey>/.exec(xml)?.[1]?.replace(/\s+/g, "");
  if (!key) return false;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-xmlsec-"));
  const pem = path.join(dir, "cluster-public.pem");
  fs.writeFileSync(pem, `-----BEGIN PUBLIC KEY-----\n${key.match(/.{1,64}/g)?.join("\n")}\n-----END PUBLIC KEY-----\n`);
  try {
    execFileSync("xmlsec1", ["--verify", "--pubkey-pem", pem, file], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
