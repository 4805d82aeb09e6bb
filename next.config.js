// Next.js configuration: server-only packages stay external, forbidden() enabled, Turbopack's chunk merging, no
// telemetry headers, next-intl, the static security headers (the Content-Security-Policy, which carries a per-response
// nonce, is set in proxy.ts).
import createNextIntlPlugin from "next-intl/plugin";

// No locale in the URL: the request config negotiates it from the cookie and Accept-Language.
const withNextIntl = createNextIntlPlugin("./lib/platform/i18n/request.ts");

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Type-checking is `npm run check` (tsc, run by `npm test` before its build), not part of starting the product: it
  // was about half of the first `npm start`'s build on 2 cores.
  typescript: { ignoreBuildErrors: true },
  reactStrictMode: true,
  serverExternalPackages: ["@electric-sql/pglite", "pg", "xml-crypto", "@xmldom/xmldom", "@peculiar/x509", "reflect-metadata", "pkcs11js"],
  experimental: {
    authInterrupts: true,
    // Turbopack merges chunks smaller than this. At the default (50 kB) it cuts the framework code every page loads
    // (the root main files) into six files for this app's routes, against four for a one-page app: the same modules,
    // 0.9 kB more gzip and two more requests on every first load. 200 kB keeps them in four, as for an empty app.
    turbopackChunking: { minChunkSize: 200_000 },
    serverActions: { bodySizeLimit: "1mb" },
    // `npm start` builds once (scripts/start.ts sets RMS_BUILD_CACHE=off): Turbopack's build cache would only speed up a
    // later rebuild, and writing it cost 6–18 s of CPU and held up the end of the first start. Other builds keep it.
    turbopackFileSystemCacheForBuild: process.env.RMS_BUILD_CACHE !== "off",
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
          { key: "Cross-Origin-Resource-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default withNextIntl(nextConfig);
