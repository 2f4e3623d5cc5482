// Runs the inbox worker inside the web process: woken when a webhook is stored, and
// on a timer for retries and for events another process stored. One drain at a time.
import { db } from "../db/client.server.ts";
import { drainInbox, type DrainOptions } from "./worker.server.ts";
import { workerHooks } from "./worker-hooks.server.ts";

const POLL_MS = 2_000;

declare global {
  var __backorderWorker: { running: boolean; again: boolean; timer?: NodeJS.Timeout } | undefined;
}

function state() {
  globalThis.__backorderWorker ??= { running: false, again: false };
  return globalThis.__backorderWorker;
}

async function runOnce(opts: DrainOptions) {
  const s = state();
  if (s.running) {
    s.again = true;
    return;
  }
  s.running = true;
  try {
    do {
      s.again = false;
      await drainInbox(db(), opts);
    } while (s.again);
  } catch (e) {
    // The inbox keeps the events; log and let the next tick try again.
    console.error("[backorder-worker] drain failed:", e);
  } finally {
    s.running = false;
  }
}

export function wakeWorker() {
  if (process.env.BACKORDER_WORKER === "off") return;
  setImmediate(() => void runOnce(workerHooks()));
}

export function startBackgroundWorker() {
  if (process.env.BACKORDER_WORKER === "off") return;
  const s = state();
  if (s.timer) return;
  s.timer = setInterval(() => void runOnce(workerHooks()), POLL_MS);
  s.timer.unref();
}
