// The address printed in setup links: the public URL when there is one (behind a reverse proxy), else the listen address.
import { describe, expect, it } from "vitest";
import { loadEnv } from "@/lib/console/env";
import { consoleOrigin, setupLink } from "./console-origin";

function settings(source: Record<string, string>) {
  const loaded = loadEnv(source);
  if (!loaded.ok) throw new Error(loaded.message);
  return loaded.env;
}

describe("consoleOrigin", () => {
  it("is RMS_PUBLIC_URL when set, whatever the listen address and allowed hosts", () => {
    const env = settings({ RMS_PUBLIC_URL: "https://rms.contoso.com:8443", RMS_ALLOWED_HOSTS: "rms.contoso.com", PORT: "3000" });
    expect(consoleOrigin(env)).toBe("https://rms.contoso.com:8443");
    expect(setupLink(env, "abc")).toBe("https://rms.contoso.com:8443/setup?token=abc");
    expect(consoleOrigin(settings({ RMS_PUBLIC_URL: "https://rms.contoso.com:443" }))).toBe("https://rms.contoso.com");
  });

  it("is the first allowed host, else the listen address, on PORT over http without it", () => {
    expect(consoleOrigin(settings({ RMS_ALLOWED_HOSTS: "rms.contoso.com", PORT: "3000" }))).toBe("http://rms.contoso.com:3000");
    expect(consoleOrigin(settings({ HOST: "0.0.0.0", PORT: "3100" }))).toBe("http://127.0.0.1:3100");
  });
});
