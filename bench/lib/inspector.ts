// Memory of a running console through the V8 inspector (bench only): SIGUSR1 opens the inspector on the port that
// NODE_OPTIONS=--inspect-port gave every bench process; a forced GC, process.memoryUsage() and PGlite's WASM heap.
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
}

type Remote = { result: { objectId?: string; value?: unknown } };

/** Opens the inspector of `pid` (SIGUSR1) on `port`; the caller keeps it open across measurements. */
export async function inspect(pid: number, port: number): Promise<{ memory(forceGc: boolean): Promise<MemoryFigures>; close(): void }> {
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
    close: () => cdp.close(),
  };
}
