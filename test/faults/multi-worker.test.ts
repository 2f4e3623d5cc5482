// Issue 11: correct with any number of workers. Several `npm run worker` processes drain one
// shop's flash sale, delivered shuffled and with duplicates (orders, cancellations, products
// updated, inventory levels with several per second), and the one holding the shop is killed
// with SIGKILL while it has events claimed. Once all is applied, the queue is the one a single
// worker makes of the same stream delivered in order.
//
// PostgreSQL: 4 processes. SQLite: 2. SQLite has one writer at a time whatever we do, and
// what is under test is the takeover of a killed worker's shop, which two processes show;
// four would only queue on the file's write lock on this 2-core machine.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/db.ts";
import { queueState } from "../support/queue-state.ts";
import { storeDelivery } from "../../app/inbox/inbox.server.ts";
import { drainInbox } from "../../app/worker/worker.server.ts";
import { inventoryLevelPayload, orderPayload, productPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { shuffled } from "../../dev/fixtures/sell-out-day.ts";
import { inboxCounts, startWorkerProcess, waitUntil, type WorkerProcess } from "./support/worker-process.ts";

const SHOP = "many-workers.myshopify.com";
const WORKERS = testProvider() === "postgres" ? 4 : 2;
/** Short, so the killed worker's shop is taken over soon; any length is correct (see shop-lease.server.ts). */
const LEASE_MS = 3_000;

interface Delivery {
  topic: string;
  payload: unknown;
}

/** One shop's sale, in the order Shopify would send it. Deterministic. */
function sale(): Delivery[] {
  const out: Delivery[] = [];
  const start = Date.UTC(2026, 10, 27, 14, 0, 0);
  // Shopify's updated_at has whole seconds: several levels of one item share a second.
  const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();
  const location = 655441491;
  const variants = 6;
  const available: number[] = [];
  const product = (v: number, at: number, title: string) => ({
    topic: "products/update",
    payload: productPayload({ id: 10_000 + v, title, updatedAt: iso(at), variants: [{ id: 20_000 + v, inventoryItemId: 30_000 + v }] }),
  });
  for (let v = 0; v < variants; v++) {
    out.push(product(v, start, `Drop ${v}`));
    available[v] = 25;
    out.push({ topic: "inventory_levels/update", payload: inventoryLevelPayload(30_000 + v, location, 25, iso(start)) });
  }
  const orders: { id: number; line: number; v: number; qty: number; at: number }[] = [];
  for (let i = 0; i < 400; i++) {
    const v = (i * 7919) % variants;
    const qty = 1 + (i % 3 === 0 ? 1 : 0);
    const at = start + 1000 + i * 150; // 6–7 orders a second
    orders.push({ id: 1_000_000 + i, line: 2_000_000 + i, v, qty, at });
    out.push({
      topic: "orders/create",
      payload: orderPayload({
        id: 1_000_000 + i,
        createdAt: iso(at),
        lines: [{ id: 2_000_000 + i, variantId: 20_000 + v, quantity: qty }],
      }),
    });
    available[v] = available[v]! - qty;
    out.push({ topic: "inventory_levels/update", payload: inventoryLevelPayload(30_000 + v, location, available[v]!, iso(at)) });
  }
  // Later: every 9th order cancelled (its units back in stock), products renamed, a restock of two variants.
  const later = start + 600_000;
  for (const o of orders.filter((_, i) => i % 9 === 0)) {
    const at = later + (o.id % 1000) * 10;
    out.push({
      topic: "orders/cancelled",
      payload: orderPayload({
        id: o.id,
        createdAt: iso(o.at),
        updatedAt: iso(at),
        cancelledAt: iso(at),
        lines: [{ id: o.line, variantId: 20_000 + o.v, quantity: o.qty, current: 0, fulfillable: 0 }],
      }),
    });
    available[o.v] = available[o.v]! + o.qty;
    out.push({ topic: "inventory_levels/update", payload: inventoryLevelPayload(30_000 + o.v, location, available[o.v]!, iso(at)) });
  }
  for (let v = 0; v < variants; v++) out.push(product(v, later + 30_000, `Drop ${v} (restocking)`));
  for (const v of [1, 4]) {
    available[v] = available[v]! + 40;
    out.push({
      topic: "inventory_levels/update",
      payload: inventoryLevelPayload(30_000 + v, location, available[v]!, iso(later + 60_000)),
    });
  }
  return out;
}

async function store(t: TestDatabase, deliveries: Delivery[], label: string) {
  for (const [i, d] of deliveries.entries()) {
    await storeDelivery(t.db, { shop: SHOP, topic: d.topic, webhookId: `${label}-${i}`, payload: JSON.stringify(d.payload) });
  }
}

let reference: TestDatabase;
let t: TestDatabase;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  [reference, t] = await Promise.all([createTestDatabase("multi_ref"), createTestDatabase("multi_workers")]);
});
afterEach(() => workers.forEach((w) => w.kill()));
afterAll(async () => {
  await Promise.all([reference?.drop(), t?.drop()]);
});

/** The process applying the shop now: its pid is the second part of the lease holder's name. */
async function holderPid(): Promise<number | null> {
  const lease = await t.db.shopLease.findUnique({ where: { shop: SHOP } });
  return lease ? Number(lease.lockedBy.split(":")[1]) : null;
}

describe(`${WORKERS} worker processes on one shop`, () => {
  it("one killed with SIGKILL mid-drain: the rest take the shop over, and the queue is the in-order single-worker one", async () => {
    const stream = sale();
    // What one worker makes of the stream delivered in order.
    await store(reference, stream, "in-order");
    await drainInbox(reference.db);
    const expected = await queueState(reference.db, SHOP);
    expect(expected.lines.filter((l) => l.state === "waiting").length).toBeGreaterThan(0); // the sale oversold
    expect(expected.lines.filter((l) => l.state === "cancelled").length).toBeGreaterThan(0);

    // Shuffled, and a third of it delivered twice (under new webhook ids: distinct deliveries of the same facts).
    const arrivals = shuffled([...stream, ...stream.filter((_, i) => i % 3 === 0)], 11);
    await store(t, arrivals, "shuffled");
    for (let i = 0; i < WORKERS; i++) workers.push(startWorkerProcess(t.url, { BACKORDER_LEASE_MS: String(LEASE_MS) }));

    // Wait for a worker to be in the middle of the shop: some events done, some claimed by the
    // lease holder. The holder is frozen (SIGSTOP) before its claims are counted, so it cannot
    // finish them between the count and the kill; a holder found with none is let go on.
    let victim: number | null = null;
    await waitUntil(async () => {
      const pid = await holderPid();
      if (pid === null || (await t.db.webhookInbox.count({ where: { status: "done" } })) === 0) return false;
      process.kill(pid, "SIGSTOP");
      const claimed = await t.db.webhookInbox.count({ where: { status: "processing", lockedBy: { contains: `:${pid}:` } } });
      if (claimed === 0) {
        process.kill(pid, "SIGCONT");
        return false;
      }
      victim = pid;
      return true;
    }, "a worker is mid-drain");
    const killed = workers.find((w) => w.output().includes(`(pid ${victim})`));
    expect(killed, "the lease holder is one of our workers").toBeDefined();
    process.kill(victim!, "SIGKILL");
    await killed!.exited;
    // What it had claimed and not applied: its transaction in hand rolled back with it.
    const orphaned = await t.db.webhookInbox.findMany({
      where: { status: "processing", lockedBy: { contains: `:${victim}:` } },
      select: { id: true, attempts: true },
      orderBy: { id: "asc" },
    });
    expect(orphaned.length).toBeGreaterThan(0);

    await waitUntil(
      async () => (await t.db.webhookInbox.count({ where: { status: { not: "done" } } })) === 0,
      "every event is applied",
      240_000,
    );
    expect(await inboxCounts(t.db)).toEqual({ done: arrivals.length });
    // Another process took them over once the killed one's leases ran out: claimed again, counted again.
    const takenOver = await t.db.webhookInbox.findMany({
      where: { id: { in: orphaned.map((o) => o.id) } },
      select: { id: true, attempts: true },
      orderBy: { id: "asc" },
    });
    expect(takenOver).toEqual(orphaned.map((o) => ({ id: o.id, attempts: o.attempts + 1 })));
    expect(await queueState(t.db, SHOP)).toEqual(expected);
    // The last worker lets go of the shop just after its last commit.
    await waitUntil(async () => (await t.db.shopLease.count()) === 0, "the shop's lease is released");
    // The others stop cleanly.
    const rest = workers.filter((w) => w !== killed);
    for (const w of rest) w.child.kill("SIGTERM");
    for (const w of rest) expect(await w.exited, w.output().slice(-2000)).toEqual({ code: 0, signal: null });
  }, 300_000);
});
