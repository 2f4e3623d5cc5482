// `npm run worker`: the inbox worker, the Shopify sync and the daily date check in a process
// of their own. The web process runs this same program as its supervised child (see
// app/jobs/background.server.ts); with BACKORDER_WORKER=off on the web process, run it here.
//
// Stops cleanly on SIGTERM/SIGINT, or when the web process that forked it goes away: it
// claims nothing new, lets the chunk in hand commit or roll back, puts the events it claimed
// but did not start back in line, disconnects and exits 0. Still busy after 9 s: exit 1
// (whatever it held is leased and is taken over when the lease runs out).
import { db } from "../app/db/client.server.ts";
import { startWorkerLoops } from "../app/jobs/worker-loops.server.ts";
import { isWakeMessage } from "../app/jobs/background.server.ts";

const HARD_EXIT_MS = 9_000;

const stop = new AbortController();
const loops = startWorkerLoops(db(), stop.signal);

function shutDown(reason: string) {
  if (stop.signal.aborted) return; // a repeated signal changes nothing; the hard exit bounds the wait
  console.log(`[worker] ${reason}: finishing the work in hand, then exiting`);
  stop.abort();
  setTimeout(() => {
    console.error(`[worker] still busy ${HARD_EXIT_MS / 1000} s after ${reason}: exiting anyway`);
    process.exit(1);
  }, HARD_EXIT_MS).unref();
}

for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => shutDown(signal));
// Forked by the web process: a stored webhook wakes the inbox loop; the parent's exit stops us.
process.on("message", (m) => {
  if (isWakeMessage(m)) loops.wakeInbox();
});
process.on("disconnect", () => shutDown("the web process went away"));

console.log(`[worker] started (pid ${process.pid})`);
await loops.done;
await db()
  .$disconnect()
  .catch((e: unknown) => console.error("[worker] disconnect failed:", e));
console.log("[worker] stopped");
// Exit explicitly: a forked worker's IPC channel would otherwise keep the process alive.
process.exit(0);
