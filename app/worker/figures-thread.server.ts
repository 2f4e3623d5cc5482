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

/** A thread that died is started again after this, doubling up to RESTART_MAX_MS while it keeps dying. */
const RESTART_FIRST_MS = 1_000;
const RESTART_MAX_MS = 60_000;
/** A thread that ran this long before dying was healthy: the next restart starts from RESTART_FIRST_MS again. */
const HEALTHY_RUN_MS = 60_000;

const ENTRY = new URL("./figures-thread-entry.server.ts", import.meta.url);

export function startFiguresThread(
  databaseUrl: string,
  signal: AbortSignal,
  log: (line: string) => void,
  options: FiguresThreadOptions = {},
  /** The thread's module (a test substitutes one that crashes). */
  entry: URL = ENTRY,
): FiguresThread {
  const data: FiguresThreadData = { databaseUrl, options };
  const pending = new Set<string>();
  /** Marks sent and not yet known done, by seq: a thread that dies takes its marked shops with it, so they are sent again. */
  const unsettled = new Map<number, string[]>();
  let sent = 0;
  let report = { seq: 0, idle: true };
  let thread: Worker | null = null;
  let restartMs = RESTART_FIRST_MS;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const post = (m: ToFiguresThread) => thread?.postMessage(m);
  const send = (shops: string[]) => {
    unsettled.set(++sent, shops);
    post({ type: "mark", shops, seq: sent });
  };
  const spawn = () => {
    const started = Date.now();
    const t = new Worker(entry, { workerData: data, execArgv: threadExecArgv() });
    thread = t;
    t.on("message", (m: FromFiguresThread) => {
      if (m.type === "log") return log(m.line);
      report = { seq: m.seq, idle: m.idle };
      // Idle after seeing mark `seq`: every mark up to it is in the snapshots.
      if (m.idle) for (const s of unsettled.keys()) if (s <= m.seq) unsettled.delete(s);
    });
    // A thread that could not load or crashed: the pages fall back to computing inline meanwhile.
    t.on("error", (e) => log(`[worker] the figures thread failed: ${e.message}`));
    t.on("exit", (code) => {
      thread = null;
      if (signal.aborted) return resolveDone();
      if (Date.now() - started >= HEALTHY_RUN_MS) restartMs = RESTART_FIRST_MS;
      log(`[worker] the figures thread exited (code ${code}); starting it again in ${restartMs} ms`);
      const wait = restartMs;
      restartMs = Math.min(restartMs * 2, RESTART_MAX_MS);
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", stopWhileDown);
        restart();
      }, wait);
      const stopWhileDown = () => {
        clearTimeout(timer);
        resolveDone();
      };
      signal.addEventListener("abort", stopWhileDown, { once: true });
    });
  };
  const restart = () => {
    spawn();
    // The new thread knows none of the old one's marks: what was not settled is sent again, as one mark.
    const shops = new Set([...unsettled.values()].flat());
    unsettled.clear();
    report = { seq: report.seq, idle: false };
    if (shops.size > 0) send([...shops]);
    else post({ type: "mark", shops: [], seq: sent });
  };

  spawn();
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
    mark: (shop) => {
      if (!signal.aborted) send([shop]);
    },
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
