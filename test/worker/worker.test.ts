// The inbox worker: retries, crash recovery, failures kept visible, shops kept apart.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { signedWebhookRequest, webhookDoor } from "../support/webhooks.ts";
import { drainInbox, LEASE_MS, MAX_ATTEMPTS, retryInboxEvents, SHOPS_PER_PASS } from "../../app/worker/worker.server.ts";
import { EXPECTED_END, sellOutDay } from "../../dev/fixtures/sell-out-day.ts";
import { flashSale } from "../../dev/fixtures/flash-sale.ts";
import { queueState } from "../support/queue-state.ts";

let t: TestDatabase;
let door: (r: Request) => Promise<Response>;
const A = "shop-a.myshopify.com";
const B = "shop-b.myshopify.com";

beforeAll(async () => {
  t = await createTestDatabase("worker");
  door = webhookDoor(t.db);
});
afterAll(() => t.drop());
beforeEach(async () => {
  for (const m of [
    "lineEvent",
    "backorderLine",
    "orderAdjustment",
    "orderSnapshot",
    "inventoryLevel",
    "variant",
    "webhookInbox",
  ] as const) {
    await (t.db[m] as unknown as { deleteMany(a: object): Promise<unknown> }).deleteMany({});
  }
});

async function deliverDay(shop: string) {
  for (const d of sellOutDay()) {
    const r = await door(signedWebhookRequest({ shop, topic: d.topic, payload: d.payload, webhookId: d.webhookId }));
    expect(r.status).toBe(200);
  }
}

describe("inbox worker", () => {
  it("a crash mid-event rolls the event back and it is applied on the next pass", async () => {
    await deliverDay(A);
    const orderCreates = await t.db.webhookInbox.findMany({ where: { topic: "orders/create" } });
    const crashOn = new Set(orderCreates.map((r) => r.id));
    // One instant for the whole pass: on a slow machine the 2 s backoff would otherwise run out mid-pass.
    const start = new Date();
    const first = await drainInbox(t.db, {
      now: () => start,
      beforeCommit: (id) => {
        if (crashOn.has(id)) throw new Error("simulated crash before commit");
      },
    });
    expect(first.failed).toBe(orderCreates.length);
    const failed = await t.db.webhookInbox.findMany({ where: { status: "failed" } });
    expect(failed.map((f) => f.topic)).toEqual(orderCreates.map(() => "orders/create"));
    expect(failed[0]!.lastError).toMatch(/simulated crash/);
    expect(failed[0]!.attempts).toBe(1);
    // Nothing of a crashed event was half-applied: the orders only updated later exist,
    // the orders only created do not.
    expect((await t.db.orderSnapshot.findMany({ orderBy: { orderId: "asc" } })).map((o) => o.orderId)).toEqual(["4101", "4103", "4106"]);
    expect(await t.db.backorderLine.count()).toBe(3);
    // Once its backoff has passed, the next drain applies it.
    crashOn.clear();
    const later = new Date(Date.now() + 60_000);
    const second = await drainInbox(t.db, { now: () => later });
    expect(second).toEqual({ processed: orderCreates.length, failed: 0, rejected: 0 });
    expect((await queueState(t.db, A)).lines).toEqual(EXPECTED_END);
    expect(await t.db.webhookInbox.count({ where: { status: { not: "done" } } })).toBe(0);
  });

  it("an event left 'processing' by a dead worker is taken over once its lease runs out", async () => {
    await deliverDay(A);
    await t.db.webhookInbox.updateMany({
      data: { status: "processing", lockedBy: "dead-worker", lockedUntil: new Date(Date.now() + LEASE_MS), attempts: 1 },
    });
    expect(await drainInbox(t.db)).toEqual({ processed: 0, failed: 0, rejected: 0 }); // still leased
    const afterLease = new Date(Date.now() + LEASE_MS + 1000);
    const r = await drainInbox(t.db, { now: () => afterLease });
    expect(r.processed).toBe(sellOutDay().length);
    expect((await queueState(t.db, A)).lines).toEqual(EXPECTED_END);
  });

  it("an event that keeps failing ends 'dead' with its error, and a retry puts it back", async () => {
    // A payload that maps but whose apply keeps failing (a database fault, a bug fixed by a later deploy).
    await door(signedWebhookRequest({ shop: A, topic: "orders/create", payload: sellOutDay()[2]!.payload, webhookId: "poison-2" }));
    const poison = (await t.db.webhookInbox.findFirstOrThrow({ where: { webhookId: "poison-2" } })).id;
    const failing = (id: number) => {
      if (id === poison) throw new Error("the database refused it");
    };
    let clock = Date.now();
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      clock += 2 * 3_600_000;
      await drainInbox(t.db, { now: () => new Date(clock), beforeCommit: failing });
    }
    const dead = await t.db.webhookInbox.findFirstOrThrow({ where: { webhookId: "poison-2" } });
    expect(dead.status).toBe("dead");
    expect(dead.attempts).toBe(MAX_ATTEMPTS);
    expect(dead.lastError).toMatch(/the database refused it/);
    expect(dead.payload).not.toBe(""); // kept for the retry
    expect(await retryInboxEvents(t.db, A)).toBe(1);
    expect(await t.db.webhookInbox.findFirstOrThrow({ where: { webhookId: "poison-2" } })).toMatchObject({
      status: "pending",
      attempts: 0,
    });
    expect(await retryInboxEvents(t.db, B)).toBe(0); // another shop cannot touch it
    expect(await drainInbox(t.db)).toEqual({ processed: 1, failed: 0, rejected: 0 });
    expect(await t.db.webhookInbox.findFirstOrThrow({ where: { webhookId: "poison-2" } })).toMatchObject({ status: "done", payload: "" });
  });

  it("claims only due rows, counting the attempt; one a dead worker left past MAX_ATTEMPTS goes dead", async () => {
    await deliverDay(A);
    const rows = await t.db.webhookInbox.findMany({ orderBy: { id: "asc" } });
    const [crashing, leased, backingOff, crashedOnce] = rows.map((r) => r.id);
    const now = Date.now();
    // Crashed the process on each of its attempts: left processing under a lease that ran out.
    await t.db.webhookInbox.update({
      where: { id: crashing },
      data: { status: "processing", lockedBy: "dead-worker", lockedUntil: new Date(now - 1000), attempts: MAX_ATTEMPTS },
    });
    await t.db.webhookInbox.update({
      where: { id: leased },
      data: { status: "processing", lockedBy: "live-worker", lockedUntil: new Date(now + LEASE_MS), attempts: 1 },
    });
    await t.db.webhookInbox.update({
      where: { id: backingOff },
      data: { status: "failed", nextAttemptAt: new Date(now + 60_000), attempts: 2, lastError: "Error: later" },
    });
    await t.db.webhookInbox.update({
      where: { id: crashedOnce },
      data: { status: "processing", lockedBy: "dead-worker", lockedUntil: new Date(now - 1000), attempts: MAX_ATTEMPTS - 1 },
    });
    const r = await drainInbox(t.db, { now: () => new Date(now) });
    expect(r).toEqual({ processed: rows.length - 3, failed: 1, rejected: 0 });
    const after = new Map((await t.db.webhookInbox.findMany()).map((row) => [row.id, row]));
    expect(after.get(crashing!)).toMatchObject({
      status: "dead",
      attempts: MAX_ATTEMPTS + 1,
      lockedBy: null,
      lockedUntil: null,
      lastError: "worker stopped while applying it",
    });
    expect(after.get(leased!)).toMatchObject({ status: "processing", lockedBy: "live-worker", attempts: 1 });
    expect(after.get(backingOff!)).toMatchObject({ status: "failed", attempts: 2, lastError: "Error: later", lockedBy: null });
    expect(after.get(crashedOnce!)).toMatchObject({ status: "done", attempts: MAX_ATTEMPTS, lockedBy: null });
    const rest = rows.slice(4).map((row) => after.get(row.id)!);
    expect(rest.map((row) => [row.status, row.attempts, row.lockedBy])).toEqual(rest.map(() => ["done", 1, null]));
  });

  it("a backlog over more shops than a pass takes: every shop is reached, the longest-waiting event's shop first", async () => {
    // Shops arrive in the reverse of their names' order, each with two events, interleaved.
    const shops = Array.from({ length: 2 * SHOPS_PER_PASS + 5 }, (_, i) => `s${String(99 - i).padStart(2, "0")}.myshopify.com`);
    const day = sellOutDay();
    for (const k of [0, 1]) {
      for (const shop of shops) {
        await t.db.webhookInbox.create({
          data: { shop, topic: day[k]!.topic, webhookId: day[k]!.webhookId, payload: JSON.stringify(day[k]!.payload) },
        });
      }
    }
    const applied: number[] = [];
    const r = await drainInbox(t.db, { batchSize: 1, beforeCommit: (id) => void applied.push(id) });
    expect(r).toEqual({ processed: 2 * shops.length, failed: 0, rejected: 0 });
    // One event a shop per pass, shops in order of their oldest due event: the events in arrival order.
    const ids = (await t.db.webhookInbox.findMany({ orderBy: { id: "asc" }, select: { id: true } })).map((row) => row.id);
    expect(applied).toEqual(ids);
    expect(await t.db.webhookInbox.count({ where: { status: { not: "done" } } })).toBe(0);
  });

  it("stopped by its signal, it finishes the chunk in hand and puts the rest of its claim back, unleased", async () => {
    const sale = flashSale({ orders: 150, variants: 3, stockPerVariant: 40 });
    for (const d of sale) await door(signedWebhookRequest({ shop: A, topic: d.topic, payload: d.payload, webhookId: d.webhookId }));
    const stop = new AbortController();
    const r = await drainInbox(t.db, { signal: stop.signal, beforeCommit: () => stop.abort() });
    // The first chunk (100 events) committed; the rest of the batch of 200 went back.
    expect(r).toEqual({ processed: 100, failed: 0, rejected: 0 });
    expect(await t.db.webhookInbox.count({ where: { status: "done" } })).toBe(100);
    expect(
      await t.db.webhookInbox.count({
        where: { OR: [{ status: { notIn: ["done", "pending"] } }, { lockedBy: { not: null } }, { lockedUntil: { not: null } }] },
      }),
    ).toBe(0);
    expect(await t.db.webhookInbox.count({ where: { status: "pending", attempts: 0 } })).toBe(sale.length - 100);
    // An aborted signal claims nothing.
    expect(await drainInbox(t.db, { signal: AbortSignal.abort() })).toEqual({ processed: 0, failed: 0, rejected: 0 });
    // The next worker takes everything over at once; units sold beyond stock end up waiting.
    expect(await drainInbox(t.db)).toEqual({ processed: sale.length - 100, failed: 0, rejected: 0 });
    const sold = [0, 1, 2].map((v) =>
      sale
        .filter(
          (d) =>
            d.topic === "orders/create" &&
            (d.payload as { line_items: { variant_id: number; quantity: number }[] }).line_items[0]!.variant_id === 20_000 + v,
        )
        .reduce((s, d) => s + (d.payload as { line_items: { quantity: number }[] }).line_items[0]!.quantity, 0),
    );
    const waiting = await t.db.backorderLine.aggregate({ where: { shop: A }, _sum: { waitingQuantity: true } });
    expect(waiting._sum.waitingQuantity).toBe(sold.reduce((s, u) => s + Math.max(0, u - 40), 0));
  });

  it("two shops with the same Shopify ids never see each other's rows", async () => {
    await deliverDay(A);
    // Shop B: the same ids (Shopify ids are global, but a test store or a replay may collide) and one order cancelled.
    for (const d of sellOutDay().slice(0, 12)) {
      await door(signedWebhookRequest({ shop: B, topic: d.topic, payload: d.payload, webhookId: d.webhookId }));
    }
    await drainInbox(t.db);
    expect((await queueState(t.db, A)).lines).toEqual(EXPECTED_END);
    const b = await queueState(t.db, B);
    expect(b.lines.map((l) => l.state)).toEqual(["allocated", "allocated", "waiting", "waiting", "waiting"]);
    expect(await t.db.backorderLine.count({ where: { shop: A } })).toBe(6);
    expect(await t.db.webhookInbox.count({ where: { shop: B } })).toBe(12);
  });
});
