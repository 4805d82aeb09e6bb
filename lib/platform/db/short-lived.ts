// The embedded database is Postgres compiled to WebAssembly. V8 runs a new WebAssembly module at once with its baseline
// compiler and, by default, compiles a function again with its optimising compiler once about 1.8 MB of that function's
// code has run (--wasm-tiering-budget). Opening a database runs enough of Postgres to send hundreds of functions to the
// optimising compiler; a command that then runs a few statements and exits pays for all of that and uses none of it.
//
// Measured on a 2-core test machine (one process each, `process.cpuUsage()` around the call): opening an existing
// database took 1.3–1.4 s of CPU with V8's default budget and 0.6 s with this one; creating a new one (initdb) 7.7–8.0 s
// and 4.9–5.2 s. The servers (console, enrollment service) keep V8's default: they run for days, and the optimised code
// makes their statements about a quarter cheaper once it is there.
import v8 from "node:v8";

/**
 * The budget of a process that opens a database, does its work and exits: an optimised copy only for a function that
 * runs about 500 MB of its own code, such as a restore's inner loop; not for the ones a start or a few statements run.
 */
export const SHORT_LIVED_WASM_FLAG = "--wasm-tiering-budget=500000000";

/**
 * For a command-line program (rms, the enrollment service's commands, the start's database steps): call before it first
 * opens a database, since V8 reads the budget when it compiles the module.
 */
export function tuneForShortLivedProcess(): void {
  v8.setFlagsFromString(SHORT_LIVED_WASM_FLAG);
}
