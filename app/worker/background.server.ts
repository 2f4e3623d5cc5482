// The web process's worker: `scripts/worker.ts` (the same program as `npm run worker`) in a
// supervised child process, forked with an IPC channel. A huge event is applied there, so it
// never blocks this process's event loop or swells its memory. A stored webhook wakes the
// child (wakes coalesce); the child also polls. A child that dies is started again with
// backoff. One child per web process, also across Vite dev reloads (kept on globalThis).
// BACKORDER_WORKER=off: no child; run `npm run worker` yourself.
import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runtimeConfig } from "../config.server.ts";
import { providerOf } from "../db/url.ts";

const WAKE_TYPE = "backorder-worker:wake";

export const isWakeMessage = (m: unknown): boolean => typeof m === "object" && m !== null && (m as { type?: unknown }).type === WAKE_TYPE;

const RESTART_FIRST_MS = 1_000;
const RESTART_MAX_MS = 30_000;
/** A child that ran this long before it died was healthy: the next restart waits the first delay again. */
const HEALTHY_AFTER_MS = 60_000;
/**
 * The child's CPU priority (nice): below the web process's. During a burst both want the CPU and
 * the worker's work per event is the larger; at equal priority webhooks waited for it and their
 * acknowledgements grew late. Lower, it takes what the web process leaves and catches up after.
 */
const CHILD_NICE = 10;
/**
 * Wakes are sent at most this often. In a burst every turn of the event loop stored something,
 * and a message per turn (serialised, written to the pipe, waking the child) was ~4 % of the web
 * process's CPU; the child folds wakes into one pass anyway, and a pass already running sees the
 * new rows when it claims again. A wake asked for meanwhile is sent when the gap is over.
 */
const WAKE_GAP_MS = 20;
/** The child exits by itself within 9 s of SIGTERM; past this it is killed. */
const STOP_GRACE_MS = 9_500;

interface Supervisor {
  child: ChildProcess | null;
  startedAt: number;
  /** Deaths in a row, each shortly after its start. */
  crashes: number;
  restartTimer: NodeJS.Timeout | null;
  wakeQueued: boolean;
  /** performance.now() of the last wake sent. */
  lastWakeAt: number;
  stopped: Promise<void> | null;
}

declare global {
  var __backorderWorkerChild: Supervisor | undefined;
}

export function startBackgroundWorker(): void {
  if (runtimeConfig().worker === "off" || globalThis.__backorderWorkerChild) return;
  const s: Supervisor = {
    child: null,
    startedAt: 0,
    crashes: 0,
    restartTimer: null,
    wakeQueued: false,
    lastWakeAt: -Infinity,
    stopped: null,
  };
  globalThis.__backorderWorkerChild = s;
  spawnWorker(s);
}

/** A webhook was stored: tell the worker child (one message per turn of the event loop at most, and per WAKE_GAP_MS). */
export function wakeWorker(): void {
  const s = globalThis.__backorderWorkerChild;
  if (!s || s.wakeQueued) return;
  s.wakeQueued = true;
  const send = () => {
    s.wakeQueued = false;
    s.lastWakeAt = performance.now();
    // A child that is gone or restarting misses nothing: it drains everything due when it starts.
    if (s.child?.connected) s.child.send({ type: WAKE_TYPE }, () => {});
  };
  const wait = s.lastWakeAt + WAKE_GAP_MS - performance.now();
  if (wait <= 0) setImmediate(send);
  else setTimeout(send, wait).unref();
}

/** Stops the child (it finishes or rolls back the work in hand) and keeps it from being restarted. */
export function stopBackgroundWorker(): Promise<void> {
  const s = globalThis.__backorderWorkerChild;
  if (!s) return Promise.resolve();
  s.stopped ??= (async () => {
    if (s.restartTimer) clearTimeout(s.restartTimer);
    const child = s.child;
    if (!child) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const kill = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(kill);
  })();
  return s.stopped;
}

export const workerChildPid = (): number | undefined => globalThis.__backorderWorkerChild?.child?.pid;

function spawnWorker(s: Supervisor) {
  const root = projectRoot();
  const child = fork(path.join(root, "scripts/worker.ts"), [], {
    cwd: root,
    // The worker is TypeScript run through tsx, as `npm run worker` and `npm start`'s db:migrate run theirs.
    execArgv: ["--import", pathToFileURL(createRequire(path.join(root, "package.json")).resolve("tsx")).href],
  });
  s.child = child;
  s.startedAt = Date.now();
  try {
    if (child.pid !== undefined && providerOf(runtimeConfig().databaseUrl) === "postgres")
      os.setPriority(child.pid, Math.min(19, os.getPriority() + CHILD_NICE));
  } catch {
    // Not allowed here (a container without the capability): it runs at our priority, as before.
  }
  child.on("error", (e) => console.error("[backorder-worker] worker process:", e));
  child.once("exit", (code, signal) => {
    if (s.child === child) s.child = null;
    if (s.stopped) return;
    s.crashes = Date.now() - s.startedAt >= HEALTHY_AFTER_MS ? 1 : s.crashes + 1;
    const delay = Math.min(RESTART_MAX_MS, RESTART_FIRST_MS * 2 ** (s.crashes - 1));
    console.error(
      `[backorder-worker] worker process ${child.pid} exited (${signal ?? `code ${code}`}); starting another in ${delay / 1000} s`,
    );
    s.restartTimer = setTimeout(() => {
      s.restartTimer = null;
      if (!s.stopped) spawnWorker(s);
    }, delay);
    s.restartTimer.unref();
  });
}

/**
 * The folder holding scripts/worker.ts: found from this module's own file (app/worker/ under
 * `vite:dev`, build/server/ in a production build), else the working directory.
 */
function projectRoot(): string {
  const has = (dir: string) => fs.existsSync(path.join(dir, "scripts", "worker.ts"));
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (has(dir)) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (has(process.cwd())) return process.cwd();
  throw new Error("scripts/worker.ts not found next to the app: start the server from the project folder");
}
