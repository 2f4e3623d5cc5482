// The figures warmer (decision 0032) on a thread of its own, with its own database client
// (docs/decisions/0034-figures-warmer-thread.md). Recomputing a big shop's figures is
// 0.2–0.5 s of mostly synchronous JS (on SQLite the driver is synchronous too): on the loops'
// thread the inbox drain and the stop-selling push would wait for it, whatever the pass's
// budget. Here the loops only post the shops to mark; the thread
// (figures-thread-entry.server.ts) runs the same FiguresWarmer on its own RetryLoop.
import { Worker } from "node:worker_threads";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { FiguresWarmerOptions } from "./figures-warmer.server.ts";

/** What the loops' thread sends. `seq` numbers the marks, so `idle` can tell they have all been seen. */
export type ToFiguresThread = { type: "mark"; shops: string[]; seq: number } | { type: "stop" };
/** What the thread sends back: its log lines, and after each pass whether every mark up to `seq` is in the snapshots. */
export type FromFiguresThread = { type: "log"; line: string } | { type: "pass"; seq: number; idle: boolean };

export interface FiguresThreadData {
  databaseUrl: string;
  options: FiguresThreadOptions;
}

/** The warmer's timings (tests shorten them); a clock cannot cross to the thread. */
export type FiguresThreadOptions = Omit<FiguresWarmerOptions, "log" | "now">;

export interface FiguresThread {
  /** Inside a chunk's transaction: the shop's queue changed. */
  changed(shop: string): void;
  /** After that transaction committed: its shops are sent to the thread to be marked. */
  committed(): void;
  /** Marks a shop (a new day in it). */
  mark(shop: string): void;
  /** Nothing pending here, every mark sent has reached the thread, and its last pass left nothing marked. */
  readonly idle: boolean;
  /** Resolves once the thread has stopped (after the signal aborts) or failed. */
  done: Promise<void>;
}

export function startFiguresThread(
  databaseUrl: string,
  signal: AbortSignal,
  log: (line: string) => void,
  options: FiguresThreadOptions = {},
): FiguresThread {
  const data: FiguresThreadData = { databaseUrl, options };
  const thread = new Worker(new URL("./figures-thread-entry.server.ts", import.meta.url), {
    workerData: data,
    execArgv: threadExecArgv(),
  });
  const pending = new Set<string>();
  let sent = 0;
  let report = { seq: 0, idle: true };
  let alive = true;
  const post = (m: ToFiguresThread) => {
    if (alive) thread.postMessage(m);
  };
  const send = (shops: string[]) => post({ type: "mark", shops, seq: ++sent });
  thread.on("message", (m: FromFiguresThread) => {
    if (m.type === "log") log(m.line);
    else report = { seq: m.seq, idle: m.idle };
  });
  const done = new Promise<void>((resolve) => {
    // A thread that failed (it could not load, or crashed) leaves the pages their fallbacks, as without a worker.
    thread.on("error", (e) => log(`[worker] the figures thread failed: ${e.message}`));
    thread.on("exit", () => {
      alive = false;
      resolve();
    });
  });
  const stop = () => post({ type: "stop" });
  if (signal.aborted) stop();
  else signal.addEventListener("abort", stop, { once: true });
  return {
    changed: (shop) => void pending.add(shop),
    committed: () => {
      if (pending.size === 0) return;
      send([...pending]);
      pending.clear();
    },
    mark: (shop) => send([shop]),
    get idle() {
      return pending.size === 0 && report.seq === sent && report.idle;
    },
    done,
  };
}

/**
 * The worker runs as TypeScript through tsx (`npm run worker`, the web process's worker child):
 * a thread inherits its loader. Where none is registered (vitest), the thread registers tsx
 * itself: Node's own type stripping cannot run this code (parameter properties).
 */
function threadExecArgv(): string[] {
  if (process.execArgv.some((a) => a.includes("tsx"))) return process.execArgv;
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return [...process.execArgv, "--import", tsx];
}
