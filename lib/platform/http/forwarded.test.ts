// The origin a browser used, behind nginx's three stock Host configurations and Apache/Caddy's forwarding headers:
// honoured from a trusted proxy only, a forged value from anyone else ignored, RMS_PUBLIC_URL filling the port in.
import { describe, expect, it } from "vitest";
import { lastForwardedElement, type OriginInputs, requestOrigin } from "./forwarded";
import { isOwnOrigin, originText, parseOrigin } from "./host-rules";

const PUBLIC = parseOrigin("https://rms.example:8443");
const none: OriginInputs = {
  encrypted: false,
  peerTrusted: false,
  host: undefined,
  forwarded: undefined,
  forwardedHost: undefined,
  forwardedProto: undefined,
  forwardedPort: undefined,
};
const origin = (inputs: Partial<OriginInputs>, publicUrl = PUBLIC) => {
  const found = requestOrigin({ ...none, ...inputs }, publicUrl);
  return found && originText(found);
};

describe("requestOrigin", () => {
  it("is the Host over the connection's own scheme when nothing else is known", () => {
    expect(origin({ host: "127.0.0.1:3000" }, null)).toBe("http://127.0.0.1:3000");
    expect(origin({ host: "[::1]:3000", encrypted: true }, null)).toBe("https://[::1]:3000");
    expect(origin({ host: "Localhost" }, null)).toBe("http://localhost");
    expect(origin({ host: "not a host" }, null)).toBeNull();
    expect(origin({}, null)).toBeNull();
  });

  it("nginx `Host $host` (port dropped) + X-Forwarded-Proto from the trusted proxy: the public URL gives the port", () => {
    const viaNginx = { peerTrusted: true, host: "rms.example", forwardedProto: "https" };
    expect(origin(viaNginx)).toBe("https://rms.example:8443");
    // Without RMS_PUBLIC_URL the port is unknown: the scheme's default, which the browser's Origin will not match.
    expect(origin(viaNginx, null)).toBe("https://rms.example");
    // A trusted X-Forwarded-Port fills it in instead.
    expect(origin({ ...viaNginx, forwardedPort: "8443" }, null)).toBe("https://rms.example:8443");
  });

  it("nginx `Host $host:$server_port` and `Host $http_host`: the port is in the Host", () => {
    expect(origin({ peerTrusted: true, host: "rms.example:8443", forwardedProto: "https" }, null)).toBe("https://rms.example:8443");
    expect(origin({ peerTrusted: true, host: "rms.example:8443", forwardedProto: "https" })).toBe("https://rms.example:8443");
  });

  it("Apache (Host rewritten to the backend, X-Forwarded-Host added) and Caddy: the trusted X-Forwarded-Host wins", () => {
    const apache = { peerTrusted: true, host: "127.0.0.1:3000", forwardedHost: "rms.example:8443", forwardedProto: "https" };
    expect(origin(apache, null)).toBe("https://rms.example:8443");
    // The last value is the nearest proxy's; a client-made first one is ignored.
    expect(origin({ ...apache, forwardedHost: "evil.example, rms.example:8443" }, null)).toBe("https://rms.example:8443");
    expect(origin({ ...apache, forwardedProto: "http, https" }, null)).toBe("https://rms.example:8443");
  });

  it("RFC 7239 Forwarded from a trusted proxy: its last element's host and proto, quoted or not", () => {
    const forwarded = 'for=198.51.100.1;host=evil.example, for=198.51.100.2;proto=https;host="rms.example:8443"';
    expect(origin({ peerTrusted: true, host: "127.0.0.1:3000", forwarded }, null)).toBe("https://rms.example:8443");
    expect(origin({ peerTrusted: true, host: "rms.example", forwarded: "for=192.0.2.4;proto=https" })).toBe("https://rms.example:8443");
  });

  it("X-Forwarded-* (what nginx, Apache and Caddy set) take precedence over a Forwarded header passed along", () => {
    const both = { peerTrusted: true, host: "127.0.0.1:3000", forwardedHost: "rms.example:8443", forwardedProto: "https" };
    expect(origin({ ...both, forwarded: "host=evil.example;proto=http" }, null)).toBe("https://rms.example:8443");
  });

  it("ignores every forwarding header from a peer that is not a trusted proxy", () => {
    const forged = {
      host: "127.0.0.1:3000",
      forwardedHost: "evil.example",
      forwardedProto: "https",
      forwardedPort: "8443",
      forwarded: "host=evil.example;proto=https",
    };
    expect(origin(forged, null)).toBe("http://127.0.0.1:3000");
    expect(origin(forged)).toBe("http://127.0.0.1:3000");
  });

  it("takes a request for the public host as having come through the public URL, unless a trusted proxy says otherwise", () => {
    expect(origin({ host: "rms.example" })).toBe("https://rms.example:8443");
    expect(origin({ host: "rms.example:8443" })).toBe("https://rms.example:8443");
    // Another port of that host is not the public URL.
    expect(origin({ host: "rms.example:3000" })).toBe("http://rms.example:3000");
    expect(origin({ peerTrusted: true, host: "rms.example", forwardedProto: "http" })).toBe("http://rms.example");
  });

  it("ignores a malformed port or Forwarded element", () => {
    expect(origin({ peerTrusted: true, host: "rms.example", forwardedProto: "https", forwardedPort: "84x3" }, null)).toBe(
      "https://rms.example",
    );
    expect(lastForwardedElement("for=1.2.3.4;host")).toEqual(new Map());
    expect(lastForwardedElement('host="a,b";proto=https')).toEqual(
      new Map([
        ["host", "a,b"],
        ["proto", "https"],
      ]),
    );
  });
});

describe("isOwnOrigin", () => {
  const own = parseOrigin("https://rms.example:8443");
  it("accepts the request's own origin or the public URL's, and nothing else", () => {
    expect(isOwnOrigin("https://rms.example:8443", own, null)).toBe(true);
    expect(isOwnOrigin("https://rms.example:8443", parseOrigin("https://127.0.0.1:3000"), PUBLIC)).toBe(true);
    expect(isOwnOrigin("https://rms.example", own, PUBLIC)).toBe(false);
    expect(isOwnOrigin("http://rms.example:8443", own, PUBLIC)).toBe(false);
    expect(isOwnOrigin("https://evil.example", own, PUBLIC)).toBe(false);
    expect(isOwnOrigin("null", own, PUBLIC)).toBe(false);
    expect(isOwnOrigin(null, own, PUBLIC)).toBe(false);
  });
});
