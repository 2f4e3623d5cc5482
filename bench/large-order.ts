// One very large order through the worker: peak memory, the longest database transaction,
// and how long a webhook acknowledgement waits meanwhile (an inbox insert every 100 ms from
// another process, as the web process does next to the worker). `npx tsx bench/large-order.ts [sqlite|postgres]`;
// LINES=100000 ON_FIRST=10000 OTHERS=90 (lines on variant 0, variants sharing the rest).
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createDb } from "../app/db/client.server.ts";
import { drainInbox } from "../app/worker/worker.server.ts";
import { storeDelivery } from "../app/inbox/inbox.server.ts";
import { syncAfterApply } from "../app/sync/hooks.server.ts";
import { bigOrder, catalog, level } from "../dev/fixtures/large-orders.ts";
import { throwawayDatabase } from "./support/throwaway-database.ts";

// The acknowledging process: `large-order.ts ack <url>`; reports its latencies when told to stop.
if (process.argv[2] === "ack") {
  const ackDb = createDb(process.argv[3]);
  const acks: number[] = [];
  let running = true;
  process.on("message", () => (running = false));
  for (let i = 0; running; i++) {
    const t0 = performance.now();
    await storeDelivery(ackDb, {
      shop: "other.myshopify.com",
      topic: "app/uninstalled",
      webhookId: `ack-${process.pid}-${i}`,
      payload: "{}",
    });
    acks.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 100));
  }
  await ackDb.$disconnect();
  process.send!(acks, () => process.exit(0));
} else {
  await main();
}

async function main() {
  const provider = process.argv[2] === "postgres" ? "postgres" : "sqlite";
  const LINES = Number(process.env.LINES ?? 100_000);
  const ON_FIRST = Number(process.env.ON_FIRST ?? 10_000);
  const OTHERS = Number(process.env.OTHERS ?? 90);
  const SHOP = "big-order.myshopify.com";

  const database = await throwawayDatabase(provider);
  const db = createDb(database.url);

  // Time every interactive transaction the worker opens.
  const transactions: number[] = [];
  const original = db.$transaction.bind(db) as (...args: unknown[]) => Promise<unknown>;
  (db as unknown as { $transaction: (...args: unknown[]) => Promise<unknown> }).$transaction = async (...args: unknown[]) => {
    const t0 = performance.now();
    try {
      return await original(...args);
    } finally {
      transactions.push(performance.now() - t0);
    }
  };

  const big = bigOrder({
    orderId: 4_000_001,
    lines: LINES,
    onFirst: ON_FIRST,
    others: OTHERS,
  });
  const setup = [catalog(OTHERS + 1), ...[...big.unitsOf].map(([n, units]) => level(n, -units, 20))];
  let seq = 0;
  const store = (client: typeof db, d: { topic: string; payload: unknown; webhookId: string }, body = JSON.stringify(d.payload)) =>
    storeDelivery(client, {
      shop: SHOP,
      topic: d.topic,
      webhookId: `${d.webhookId}-${seq++}`,
      payload: body,
    });
  for (const d of setup) await store(db, d);
  await drainInbox(db, { afterApply: syncAfterApply() });
  transactions.length = 0;

  const body = JSON.stringify(big.delivery.payload);
  await store(db, big.delivery, body);
  const rssBefore = process.memoryUsage().rss;

  // Acknowledgements meanwhile, from another process.
  const acker = fork(fileURLToPath(import.meta.url), ["ack", database.url], {
    execArgv: process.execArgv,
  });
  const acks = new Promise<number[]>((resolve) => acker.once("message", (m) => resolve(m as number[])));
  await new Promise((r) => setTimeout(r, 1000));
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

  const t0 = performance.now();
  const result = await drainInbox(db, { afterApply: syncAfterApply() });
  const drainMs = performance.now() - t0;
  acker.send("stop");
  const ackMs = await acks;
  clearInterval(sampler);

  const lines = await db.backorderLine.count({ where: { shop: SHOP } });
  const waiting = await db.backorderLine.aggregate({
    where: { shop: SHOP, state: "waiting" },
    _sum: { waitingQuantity: true },
  });
  const inbox = await db.webhookInbox.findFirst({
    where: { shop: SHOP, topic: "orders/create" },
    select: { status: true, lastError: true },
  });
  const mb = (b: number) => `${Math.round(b / 1024 / 1024)} MB`;
  console.log(
    JSON.stringify(
      {
        provider,
        payload: mb(body.length),
        lines: LINES,
        result,
        inbox,
        storedLines: lines,
        waitingUnits: waiting._sum.waitingQuantity,
        drainSeconds: Math.round(drainMs / 100) / 10,
        rssBefore: mb(rssBefore),
        peakRssSampled: mb(peakRss),
        maxRss: mb(process.resourceUsage().maxRSS * 1024),
        transactions: transactions.length,
        longestTransactionMs: Math.round(Math.max(0, ...transactions)),
        acks: ackMs.length,
        acksOver1s: ackMs.filter((a) => a > 1000).length,
        longestAckMs: Math.round(Math.max(0, ...ackMs)),
      },
      null,
      2,
    ),
  );
  await db.$disconnect();
  await database.drop();
}
