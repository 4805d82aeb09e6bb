// Where the embedded database lives in a data folder, without loading a database driver (the supervisor asks).
import fs from "node:fs";
import path from "node:path";

/** Whether dataDir already holds an embedded database (so opening it will not create a new, empty one). */
export function embeddedDatabaseExists(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, "pglite", "PG_VERSION"));
}
