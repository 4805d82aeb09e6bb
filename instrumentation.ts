// Runs once when the console's server process starts, before it serves requests.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("@/lib/env");
  const { installClientAddressGuard } = await import("@/lib/http/client-address");
  installClientAddressGuard(new Set(env().RMS_TRUSTED_PROXIES));
}
