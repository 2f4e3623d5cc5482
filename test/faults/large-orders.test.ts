// The queue at real sizes. 1,000 one-unit orders on a variant, an
// order of 2,000 lines, 10,000 lines on one variant and an order of 100,000 lines, through
// signed webhooks and the worker (with the Shopify sync hooks, as in production). Before
// the fix SQLite refused the restock ("too many bound parameters") until the event was dead.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { signedWebhookRequest, webhookDoor } from "../support/webhooks.ts";
import { drainInbox } from "../../app/worker/worker.server.ts";
import { syncAfterApply } from "../../app/sync/hooks.server.ts";
import { applyEvent } from "../../app/engine/apply-event.server.ts";
import { normalizeTopic, toDomainEvent } from "../../app/shopify/webhook-payloads.ts";
import { bigOrder, catalog, level, oneUnitOrders, variantId, type Delivery } from "../../dev/fixtures/large-orders.ts";
import { queueState } from "../support/queue-state.ts";

let t: TestDatabase;
let door: (r: Request) => Promise<Response>;
const SHOP = "bulk-tees.myshopify.com";
const LONG = 600_000;

beforeAll(async () => {
  t = await createTestDatabase("large");
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
    "syncTask",
    "variantPolicy",
  ] as const) {
    await (t.db[m] as unknown as { deleteMany(a: object): Promise<unknown> }).deleteMany({});
  }
});

async function deliver(deliveries: Delivery[]) {
  for (const d of deliveries) {
    const res = await door(signedWebhookRequest({ shop: SHOP, topic: d.topic, payload: d.payload, webhookId: d.webhookId }));
    expect(res.status, `${d.topic} ${d.webhookId}`).toBe(200);
  }
}

/** Applies everything stored, as the production worker does (sync hooks included). */
async function work() {
  await drainInbox(t.db, { afterApply: syncAfterApply() });
  const unfinished = await t.db.webhookInbox.findMany({
    where: { status: { not: "done" } },
    select: { topic: true, status: true, lastError: true },
  });
  expect(unfinished).toEqual([]);
}

/** Line ids of variant n by state, in FIFO order (orderedAt, then id). */
async function linesOf(n: number) {
  const lines = await t.db.backorderLine.findMany({
    where: { shop: SHOP, variantId: String(variantId(n)) },
    select: { lineItemId: true, orderedAt: true, state: true, waitingQuantity: true },
  });
  lines.sort(
    (a, b) =>
      a.orderedAt.getTime() - b.orderedAt.getTime() || a.lineItemId.length - b.lineItemId.length || (a.lineItemId < b.lineItemId ? -1 : 1),
  );
  return lines;
}

/** FIFO: with `short` units missing, exactly the newest `short` lines wait, one unit each. */
async function expectNewestWaiting(n: number, total: number, short: number) {
  const lines = await linesOf(n);
  expect(lines).toHaveLength(total);
  const waitingAt = lines.flatMap((l, i) => (l.state === "waiting" ? [i] : []));
  expect(waitingAt).toHaveLength(short);
  if (short > 0) expect(waitingAt[0]).toBe(total - short);
  expect(lines.slice(0, total - short).every((l) => l.state === "allocated" && l.waitingQuantity === 0)).toBe(true);
  expect(lines.slice(total - short).every((l) => l.waitingQuantity === 1)).toBe(true);
}

describe("a variant with 1,000 one-unit orders", () => {
  it("takes the restock: every line covered, FIFO kept on the way", { timeout: LONG }, async () => {
    await deliver([catalog(1), level(0, 0, 1), ...oneUnitOrders(1000), level(0, -1000, 2000)]);
    await work();
    await expectNewestWaiting(0, 1000, 1000);
    // The restock covers all 1,000 lines at once (the change SQLite refused).
    await deliver([level(0, 5, 3000)]);
    await work();
    await expectNewestWaiting(0, 1000, 0);
    // A stock count correction takes 400 units back: the newest 400 wait again.
    await deliver([level(0, -400, 4000)]);
    await work();
    await expectNewestWaiting(0, 1000, 400);
    // Every order whose lines changed is queued for its tag/hold push.
    expect(await t.db.syncTask.count({ where: { shop: SHOP, kind: "order" } })).toBe(1000);
  });
});

describe("one order with 2,000 lines on a variant", () => {
  it("applies, then takes a partial and a full restock in FIFO order", { timeout: LONG }, async () => {
    const big = bigOrder({ orderId: 4_000_002, lines: 2000, onFirst: 2000 });
    await deliver([catalog(1), level(0, -2000, 20), big.delivery]);
    await work();
    await expectNewestWaiting(0, 2000, 2000);
    await deliver([level(0, -500, 30)]);
    await work();
    await expectNewestWaiting(0, 2000, 500);
    await deliver([level(0, 0, 40)]);
    await work();
    await expectNewestWaiting(0, 2000, 0);
  });
});

describe("10,000 lines on one variant", () => {
  it("ten orders of 1,000 lines: applied, partially and fully restocked", { timeout: LONG }, async () => {
    const orders = Array.from({ length: 10 }, (_, k) => bigOrder({ orderId: 4_000_010 + k, lines: 1000, onFirst: 1000, seconds: 10 + k }));
    await deliver([catalog(1), ...orders.map((o) => o.delivery), level(0, -10_000, 100)]);
    await work();
    await expectNewestWaiting(0, 10_000, 10_000);
    await deliver([level(0, -2500, 200)]);
    await work();
    await expectNewestWaiting(0, 10_000, 2500);
    await deliver([level(0, 0, 300)]);
    await work();
    await expectNewestWaiting(0, 10_000, 0);
  });
});

describe("one order with 100,000 lines (a 38 MB body)", () => {
  it("applies in slices: 10,000 on one variant and 1,000 on each of 90 others, FIFO within the order", { timeout: LONG }, async () => {
    const big = bigOrder({ orderId: 4_000_100, lines: 100_000, onFirst: 10_000, others: 90 });
    const levels = [...big.unitsOf].map(([n, units]) => level(n, -units, 20));
    await deliver([catalog(91), ...levels, big.delivery]);
    await work();
    expect(await t.db.backorderLine.count({ where: { shop: SHOP, orderId: "4000100" } })).toBe(100_000);
    const waiting = await t.db.backorderLine.groupBy({
      by: ["variantId"],
      where: { shop: SHOP, state: "waiting" },
      _sum: { waitingQuantity: true },
    });
    expect(waiting).toHaveLength(91);
    for (const w of waiting) expect(w._sum.waitingQuantity).toBe(w.variantId === String(variantId(0)) ? 10_000 : 1000);
    const snapshot = await t.db.orderSnapshot.findUniqueOrThrow({ where: { shop_orderId: { shop: SHOP, orderId: "4000100" } } });
    expect(snapshot.updatedAt.toISOString()).toBe((big.delivery.payload as { updated_at: string }).updated_at);
    // The inbox keeps no 38 MB body once the order is applied.
    expect((await t.db.webhookInbox.findFirstOrThrow({ where: { webhookId: big.delivery.webhookId } })).payload).toBe("");
    // A partial restock of variant 0 covers the order's first 6,000 lines of it.
    await deliver([level(0, -4000, 30)]);
    await work();
    await expectNewestWaiting(0, 10_000, 4000);
  });
});

describe("an order applied in slices", () => {
  it("a crash after the slices leaves it to be applied again, ending as a one-shot apply would", { timeout: LONG }, async () => {
    const big = bigOrder({ orderId: 4_000_200, lines: 5000, onFirst: 3000, others: 4 });
    const setup = [catalog(5), ...[...big.unitsOf].map(([n, units]) => level(n, 1000 - units, 20))];
    await deliver([...setup, big.delivery]);
    const id = (await t.db.webhookInbox.findFirstOrThrow({ where: { webhookId: big.delivery.webhookId } })).id;
    const start = new Date();
    const crashed = await drainInbox(t.db, {
      now: () => start,
      afterApply: syncAfterApply(),
      beforeCommit: (inboxId) => {
        if (inboxId === id) throw new Error("simulated crash in the last transaction");
      },
    });
    expect(crashed).toMatchObject({ failed: 1 });
    // The lines and their derivation are stored (their own transactions); the snapshot and "done" are not.
    expect(await t.db.backorderLine.count({ where: { shop: SHOP } })).toBe(5000);
    expect(await t.db.orderSnapshot.count({ where: { shop: SHOP } })).toBe(0);
    expect((await t.db.webhookInbox.findUniqueOrThrow({ where: { id } })).status).toBe("failed");
    await drainInbox(t.db, { now: () => new Date(start.getTime() + 60_000), afterApply: syncAfterApply() });
    const sliced = await queueState(t.db, SHOP);

    // The same order applied in one transaction, in another shop.
    const other = "one-shot.myshopify.com";
    await t.db.$transaction(
      async (tx) => {
        for (const d of [...setup, big.delivery]) {
          const topic = normalizeTopic(d.topic)!;
          await applyEvent(tx, other, toDomainEvent(topic, d.payload), topic);
        }
      },
      { timeout: 120_000 },
    );
    expect(sliced.lines).toHaveLength(5000);
    expect(sliced).toEqual(await queueState(t.db, other));
    // Variant 0: 3,000 lines on a stock of 1,000; variants 1-4: 500 lines each, all in stock.
    expect(sliced.lines.filter((l) => l.state === "waiting")).toHaveLength(2000);
    await expectNewestWaiting(0, 3000, 2000);
  });
});
