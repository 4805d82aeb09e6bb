// Where the test runs put their scratch folders: data folders, PGlite copies, directories, tokens, the e2e stack.
import fs from "node:fs";

const TMPFS_MAGIC = 0x01021994;

/**
 * Points TMPDIR (os.tmpdir(), for this process and the processes it starts) at /dev/shm when TMPDIR is unset and
 * /dev/shm is a writable tmpfs: the tests' folders then live in memory. Nothing they prove depends on a disk (the
 * durability suite keeps its folder on one: tests/integration/durable-commits.test.ts), and on a 2-core machine with
 * a virtual disk, copying, syncing and removing ≈ 40 MB PGlite folders there cost time: seven integration files took
 * 113 s instead of 129–136 s, with 17 s less system CPU.
 */
export function scratchInMemory(): void {
  if (process.env.TMPDIR) return;
  try {
    if (fs.statfsSync("/dev/shm").type !== TMPFS_MAGIC) return;
    fs.accessSync("/dev/shm", fs.constants.W_OK);
  } catch {
    return;
  }
  process.env.TMPDIR = "/dev/shm";
}
