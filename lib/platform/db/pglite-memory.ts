// How much memory the embedded database (PGlite) reserves for its page cache. Postgres's default shared_buffers (128 MB)
// lives inside PGlite's WebAssembly heap and stays resident once touched; the console's and the service's tables fit
// in a small fraction of that, so 16 MB is the default and RMS_PGLITE_SHARED_BUFFERS raises it.
import { z } from "zod";

const DEFAULT_PGLITE_SHARED_BUFFERS = "16MB";

/** A Postgres memory size: a whole number of kB, MB or GB, from 1 MB to 1 GB. */
export const pgliteSharedBuffers = z
  .string()
  .trim()
  .default(DEFAULT_PGLITE_SHARED_BUFFERS)
  .transform((text, ctx) => {
    const match = /^([0-9]{1,7})\s*(kB|MB|GB)$/i.exec(text);
    const unit = match?.[2]?.toLowerCase() as "kb" | "mb" | "gb" | undefined;
    const kb = match && unit ? Number(match[1]) * { kb: 1, mb: 1024, gb: 1024 * 1024 }[unit] : Number.NaN;
    if (!(kb >= 1024 && kb <= 1024 * 1024)) {
      ctx.addIssue({
        code: "custom",
        message: `RMS_PGLITE_SHARED_BUFFERS must be a size from 1MB to 1GB such as 16MB or 256MB; "${text.slice(0, 40)}" is not`,
      });
      return z.NEVER;
    }
    return `${kb}kB`;
  });

/**
 * The setting as this process's environment gives it, for every process that opens PGlite (console, service, CLI,
 * tests): the console's and the service's settings validate the same variable at start, with the same message.
 */
export function sharedBuffersFromEnv(source: Record<string, string | undefined> = process.env): string {
  const parsed = pgliteSharedBuffers.safeParse(source.RMS_PGLITE_SHARED_BUFFERS || undefined);
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => issue.message).join("; "));
  return parsed.data;
}
