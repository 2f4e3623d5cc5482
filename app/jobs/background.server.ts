// Runs the inbox worker inside the web process: woken when a webhook is stored, and
// on a timer for retries and for events another process stored. One drain at a time.
import { db } from "../db/client.server.ts";
import { drainInbox, type DrainOptions } from "./worker.server.ts";
import { workerHooks } from "./worker-hooks.server.ts";
import { runPendingSync } from "../sync/runner.server.ts";
import { processGateways } from "../sync/gateways.server.ts";
import { refreshDatesIfDue } from "../sync/daily-dates.server.ts";

const POLL_MS = 2_000;

declare global {
  var __backorderWorker: { running: boolean; again: boolean; timer?: NodeJS.Timeout; syncing?: boolean } | undefined;
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
    kickSync(s);
  } catch (e) {
    // The inbox keeps the events; log and let the next tick try again.
    console.error("[backorder-worker] drain failed:", e);
  } finally {
    s.running = false;
  }
}

/**
 * Then push to Shopify what the engine decided (and retries that came due), on its own
 * single-flight loop so a throttled shop never delays the inbox. A failed push stays on
 * its SyncTask; engine state and inbox are already committed.
 */
function kickSync(s: NonNullable<typeof globalThis.__backorderWorker>) {
  if (s.syncing) return;
  s.syncing = true;
  refreshDatesIfDue(db())
    .catch((e) => console.error("[backorder-sync] date refresh failed:", e))
    .then(() => runPendingSync(db(), processGateways()))
    .catch((e) => console.error("[backorder-sync] run failed:", e))
    .finally(() => {
      s.syncing = false;
    });
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
