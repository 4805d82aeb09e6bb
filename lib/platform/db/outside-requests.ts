// Long-lived resources, such as a pooled database connection, must not be created inside a request's async context.
// Node gives a new socket the AsyncLocalStorage stores current at its creation, so a connection the pool opened while
// serving a request kept that request's stores alive for as long as the connection lived — and through Next's request
// stores (an aborted cache controller's Error keeps, in its stack, the Immediate it was thrown from, and that Immediate
// the rest of its queue) hundreds of other requests with them: a heap snapshot after a load on PostgreSQL held 349
// finished ServerResponses, every one reached from a pg socket. The process captures its root context at start-up,
// outside any request, and the pool opens its connections there.
import { AsyncLocalStorage } from "node:async_hooks";

type Runner = <T>(fn: () => T) => T;
// On globalThis: the console server (tsx) and Next's bundles load this module as separate instances.
const slot = globalThis as typeof globalThis & { rmsOutsideRequests?: Runner };

/** Called at process start-up (console server, instrumentation), where no request's context is current. */
export function captureRootContext(): void {
  slot.rmsOutsideRequests ??= AsyncLocalStorage.snapshot() as Runner;
}

/** Runs `fn` in the root context captured at start-up, or as it is where none was (CLI, tests: no requests). */
export function outsideRequests<T>(fn: () => T): T {
  return slot.rmsOutsideRequests ? slot.rmsOutsideRequests(fn) : fn();
}
