// The worker's loops (inbox, Shopify sync, daily dates), in the worker thread that
// scripts/worker.ts starts. Messages from it: "wake" (a webhook was stored) and "stop".
import { parentPort } from "node:worker_threads";
import { db } from "../app/db/client.server.ts";
import { startWorkerLoops } from "../app/worker/worker-loops.server.ts";

if (!parentPort) throw new Error("scripts/worker-thread.ts runs inside scripts/worker.ts (npm run worker)");
const port = parentPort;

const stop = new AbortController();
const loops = startWorkerLoops(db(), stop.signal);
port.on("message", (m: { type?: string }) => {
  if (m.type === "wake") loops.wakeInbox();
  else if (m.type === "stop") stop.abort();
});

await loops.done;
await db()
  .$disconnect()
  .catch((e: unknown) => console.error("[worker] disconnect failed:", e));
port.close(); // nothing left to keep the thread alive: it ends, and the main thread exits 0
