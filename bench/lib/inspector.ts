// A running console through the V8 inspector (bench only): SIGUSR1 opens the inspector on the port that
// NODE_OPTIONS=--inspect-port gave every bench process; a forced GC, process.memoryUsage() and PGlite's WASM heap, and
// a CPU profile of the main thread over a window (to name what stalls the event loop).
import { WebSocket } from "undici";

export interface MemoryFigures {
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
  /** Every WebAssembly.Memory of the process: PGlite's Emscripten heap (0 on PostgreSQL). */
  wasmMb: number;
}

const MB = 1024 * 1024;

class Cdp {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private constructor(private readonly ws: WebSocket) {
    ws.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
      const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiter || message.id === undefined) return;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result);
    });
  }
  static async open(url: string): Promise<Cdp> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve(), { once: true });
      ws.addEventListener("error", () => reject(new Error(`inspector at ${url} refused the connection`)), { once: true });
    });
    return new Cdp(ws);
  }
  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
  }
  close(): void {
    this.ws.close();
  }
  onEvent(listener: (event: { data: unknown }) => void): void {
    this.ws.addEventListener("message", listener);
  }
}

type Remote = { result: { objectId?: string; value?: unknown } };

/** Opens the inspector of `pid` (SIGUSR1) on `port`; the caller keeps it open across measurements. */
export async function inspect(
  pid: number,
  port: number,
): Promise<{
  memory(forceGc: boolean): Promise<MemoryFigures>;
  /** Writes a heap snapshot (Chrome DevTools' format) of the process to `file`. */
  snapshot(file: string): Promise<void>;
  profile<T>(run: () => Promise<T>): Promise<{ result: T; profile: CpuProfile }>;
  close(): void;
}> {
  process.kill(pid, "SIGUSR1");
  let targets: Array<{ webSocketDebuggerUrl: string }> = [];
  for (let i = 0; i < 50 && targets.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 200));
    targets = await fetch(`http://127.0.0.1:${port}/json/list`)
      .then((r) => r.json() as Promise<typeof targets>)
      .catch(() => []);
  }
  const target = targets[0];
  if (!target) throw new Error(`no inspector answered on port ${port} after SIGUSR1 to ${pid}`);
  const cdp = await Cdp.open(target.webSocketDebuggerUrl);
  await cdp.send("Runtime.enable");
  const evaluate = async <T>(expression: string): Promise<T> =>
    (await cdp.send<Remote>("Runtime.evaluate", { expression, returnByValue: true })).result.value as T;
  return {
    async memory(forceGc) {
      if (forceGc) await cdp.send("HeapProfiler.collectGarbage");
      const usage = await evaluate<{ rss: number; heapUsed: number; external: number }>("process.memoryUsage()");
      const proto = await cdp.send<Remote>("Runtime.evaluate", { expression: "WebAssembly.Memory.prototype" });
      const found = await cdp.send<{ objects: { objectId: string } }>("Runtime.queryObjects", {
        prototypeObjectId: proto.result.objectId,
      });
      const sizes = await cdp.send<Remote>("Runtime.callFunctionOn", {
        objectId: found.objects.objectId,
        functionDeclaration: "function () { return this.reduce((sum, m) => sum + m.buffer.byteLength, 0); }",
        returnByValue: true,
      });
      return {
        rssMb: usage.rss / MB,
        heapUsedMb: usage.heapUsed / MB,
        externalMb: usage.external / MB,
        wasmMb: Number(sizes.result.value ?? 0) / MB,
      };
    },
    async snapshot(file: string) {
      const out = (await import("node:fs")).createWriteStream(file);
      const onChunk = (event: { data: unknown }) => {
        const message = JSON.parse(String(event.data)) as { method?: string; params?: { chunk: string } };
        if (message.method === "HeapProfiler.addHeapSnapshotChunk" && message.params) out.write(message.params.chunk);
      };
      cdp.onEvent(onChunk);
      await cdp.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      await new Promise((r) => out.end(r));
    },
    async profile(run) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
      await cdp.send("Profiler.start");
      try {
        const result = await run();
        return { result, profile: (await cdp.send<{ profile: CpuProfile }>("Profiler.stop")).profile };
      } finally {
        await cdp.send("Profiler.disable").catch(() => undefined);
      }
    },
    close: () => cdp.close(),
  };
}

/** V8's CPU profile (the Profiler domain's format, also what `node --cpu-prof` writes). */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives, coarsely: the package (or our own source folder) that owns the URL. */
function owner(url: string): string {
  if (!url) return "(native/V8)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  if (url.startsWith("node:")) return "node core";
  const ours = /\/(lib|app|components|scripts)\/[^?]*/.exec(url);
  return ours ? ours[0].slice(1) : url.slice(-60);
}

/** The first `n` entries of a breakdown as "name value, …", each value written by `format`. */
export function topEntries(list: Array<[string, number]>, n: number, format: (ms: number) => string): string {
  return list
    .slice(0, n)
    .map(([name, ms]) => `${name} ${format(ms)}`)
    .join(", ");
}

/** Main-thread CPU over a whole profile (idle samples left out): total ms, by frame and by owning package, largest first. */
export function cpuBreakdown(profile: CpuProfile): { ms: number; byFrame: Array<[string, number]>; byOwner: Array<[string, number]> } {
  return breakdown(profile, 0, profile.samples.length - 1);
}

function breakdown(profile: CpuProfile, from: number, to: number) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFrame = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let ms = 0;
  for (let i = from; i <= to; i++) {
    const node = nodes.get(profile.samples[i] ?? -1);
    if (!node || node.callFrame.functionName === "(idle)") continue;
    const delta = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || "(anonymous)"} ${owner(url)}${url ? `:${lineNumber + 1}` : ""}`;
    byFrame.set(key, (byFrame.get(key) ?? 0) + delta);
    byOwner.set(owner(url), (byOwner.get(owner(url)) ?? 0) + delta);
    ms += delta;
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { ms, byFrame: sorted(byFrame), byOwner: sorted(byOwner) };
}

/**
 * The longest stretch of the main thread without an idle sample (the event-loop stall), and what filled it: self time
 * by frame and by owning package, in ms, largest first.
 */
export function longestBusyStretch(profile: CpuProfile): {
  ms: number;
  byFrame: Array<[string, number]>;
  byOwner: Array<[string, number]>;
} {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  let best: { from: number; to: number; ms: number } = { from: 0, to: 0, ms: 0 };
  let start = 0;
  let ms = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = nodes.get(profile.samples[i] ?? -1)?.callFrame.functionName;
    const delta = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (frame === "(idle)") {
      start = i + 1;
      ms = 0;
      continue;
    }
    ms += delta;
    if (ms > best.ms) best = { from: start, to: i, ms };
  }
  return { ...breakdown(profile, best.from, best.to), ms: best.ms };
}
