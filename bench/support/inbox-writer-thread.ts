// The web process's part in a bench, on a thread of its own: stores each delivery it is sent
// in the inbox, in order, and answers with its webhook id once stored. On SQLite a store that
// finds the worker holding the write lock waits for it, partly inside the driver's synchronous
// call (app/db/client.server.ts): on the bench's main thread that wait would also stall the
// Admin API stand-in served there, i.e. Shopify would answer late for a reason Shopify does
// not have. (The real web process is not Shopify either.)
import { parentPort, workerData } from "node:worker_threads";
import { createDb } from "../../app/db/client.server.ts";
import { storeDelivery } from "../../app/inbox/inbox.server.ts";

export interface InboxWrite {
  shop: string;
  topic: string;
  webhookId: string;
  payload: string;
}

if (!parentPort) throw new Error("bench/support/inbox-writer-thread.ts runs as a worker thread");
const port = parentPort;
const db = createDb((workerData as { url: string }).url);
let chain = Promise.resolve();
port.on("message", (m: InboxWrite | "close") => {
  if (m === "close") {
    chain = chain.then(async () => {
      await db.$disconnect();
      port.postMessage("closed");
      port.close();
    });
    return;
  }
  chain = chain.then(async () => {
    try {
      await storeDelivery(db, m);
      port.postMessage(m.webhookId);
    } catch (e) {
      // The bench waits for every delivery: say which one failed rather than leave it waiting.
      port.postMessage({ failed: m.webhookId, error: String(e) });
    }
  });
});
