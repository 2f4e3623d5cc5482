// `npm run worker`: the inbox worker, the Shopify sync and the daily date check in a process
// of their own. The web process runs this same program as its supervised child (see
// app/worker/background.server.ts); with BACKORDER_WORKER=off on the web process, run it here.
//
// Two threads. This one takes signals and the web process's messages, and never blocks.
// The loops run in a worker thread (scripts/worker-thread.ts): SQLite's driver is synchronous
// and can hold a thread for a long statement or a busy wait, and a process that cannot
// answer a signal quickly is killed by tsx's CLI (what `npm run worker` runs) ~60 ms later.
//
// On SIGTERM/SIGINT, or when the web process that forked it goes away: the loops claim
// nothing new, let the chunk in hand commit or roll back, put the events claimed but not
// started back in line, disconnect, and the process exits 0. Still busy after 9 s: exit 1
// (whatever it held stays leased and is taken over when the lease runs out).
import { Worker } from "node:worker_threads";
import { isWakeMessage } from "../app/worker/background.server.ts";
import { appConfig, ConfigError, readRuntimeConfig } from "../app/config.server.ts";

const HARD_EXIT_MS = 9_000;

// Fail now, naming every problem, rather than in a loop that retries forever.
try {
  readRuntimeConfig();
} catch (e) {
  console.error(`[worker] ${e instanceof ConfigError ? e.message : String(e)}`);
  process.exit(1);
}
try {
  appConfig();
} catch {
  console.warn("[worker] SHOPIFY_API_KEY or SHOPIFY_API_SECRET is not set: offline tokens that expire cannot be refreshed");
}

const loops = new Worker(new URL("./worker-thread.ts", import.meta.url));
let stopping = false;

function shutDown(reason: string) {
  if (stopping) return; // a repeated signal changes nothing; the hard exit bounds the wait
  stopping = true;
  console.log(`[worker] ${reason}: finishing the work in hand, then exiting`);
  loops.postMessage({ type: "stop" });
  setTimeout(() => {
    console.error(`[worker] still busy ${HARD_EXIT_MS / 1000} s after ${reason}: exiting anyway`);
    process.exit(1);
  }, HARD_EXIT_MS).unref();
}

loops.on("error", (e) => console.error("[worker] the worker's loops failed:", e));
loops.on("exit", (code) => {
  if (stopping && code === 0) {
    console.log("[worker] stopped");
    process.exit(0);
  }
  console.error(`[worker] the worker's loops ended unexpectedly (exit code ${code})`);
  process.exit(1);
});

for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => shutDown(signal));
// Forked by the web process: a stored webhook wakes the inbox loop; the parent's exit stops us.
process.on("message", (m) => {
  if (isWakeMessage(m)) loops.postMessage({ type: "wake" });
});
process.on("disconnect", () => shutDown("the web process went away"));

console.log(`[worker] started (pid ${process.pid})`);
