// Signed webhooks in -> inbox -> worker -> queue, on a real database.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { signedWebhookRequest, webhookDoor } from "../support/webhooks.ts";
import { EXPECTED_END, IDS, sellOutDay, shuffled, type Delivery } from "../../dev/fixtures/sell-out-day.ts";
import { queueState } from "../support/queue-state.ts";
import { drainInbox } from "../../app/worker/worker.server.ts";

let t: TestDatabase;
let door: (r: Request) => Promise<Response>;
const SHOP = "linen-and-co.myshopify.com";

beforeAll(async () => {
  t = await createTestDatabase("flow");
  door = webhookDoor(t.db);
});
afterAll(() => t.drop());

async function clearShop(shop: string) {
  for (const m of [
    "lineEvent",
    "backorderLine",
    "orderAdjustment",
    "orderSnapshot",
    "inventoryLevel",
    "variant",
    "webhookInbox",
  ] as const) {
    await (t.db[m] as unknown as { deleteMany(a: object): Promise<unknown> }).deleteMany({ where: { shop } });
  }
}

async function deliver(shop: string, deliveries: Delivery[]) {
  for (const d of deliveries) {
    const res = await door(signedWebhookRequest({ shop, topic: d.topic, payload: d.payload, webhookId: d.webhookId }));
    expect(res.status, `${d.topic} ${d.webhookId}`).toBe(200);
  }
}

const lineOf = async (lineItemId: number) =>
  t.db.backorderLine.findUniqueOrThrow({ where: { shop_lineItemId: { shop: SHOP, lineItemId: String(lineItemId) } } });

/** As in production: the worker applies each delivery soon after it arrives. */
async function deliverLive(shop: string, deliveries: Delivery[]) {
  for (const d of deliveries) {
    await deliver(shop, [d]);
    await drainInbox(t.db);
  }
}

describe("the backorder day, delivered in order", () => {
  beforeEach(() => clearShop(SHOP));

  it("backorders the units sold beyond stock, newest orders first", async () => {
    const day = sellOutDay();
    await deliverLive(SHOP, day.slice(0, 12)); // through the third backorder
    const { lines } = await queueState(t.db, SHOP);
    expect(lines.map((l) => [l.lineItemId, l.state, l.waitingQuantity])).toEqual([
      [String(IDS.lines.o1), "allocated", 0],
      [String(IDS.lines.o2), "allocated", 0],
      [String(IDS.lines.o3), "waiting", 2],
      [String(IDS.lines.o4), "waiting", 1],
      [String(IDS.lines.o5), "waiting", 2],
    ]);
    expect((await lineOf(IDS.lines.o3)).backorderedAt).not.toBeNull();
    expect((await lineOf(IDS.lines.o1)).backorderedAt).toBeNull();
    // An order that overtakes its own inventory update must not push older backorders
    // into "covered" for a moment: that would release holds on units that do not exist.
    const o3History = await t.db.lineEvent.findMany({ where: { shop: SHOP, lineItemId: String(IDS.lines.o3) } });
    expect(o3History.map((h) => h.toState)).toEqual(["waiting"]);
  });

  it("a partial restock covers the oldest backorders first", async () => {
    await deliverLive(SHOP, sellOutDay().slice(0, 13));
    expect((await lineOf(IDS.lines.o3)).state).toBe("allocated");
    expect((await lineOf(IDS.lines.o4)).state).toBe("allocated");
    const o5 = await lineOf(IDS.lines.o5);
    expect([o5.state, o5.waitingQuantity]).toEqual(["waiting", 2]);
    expect((await lineOf(IDS.lines.o3)).allocatedAt?.toISOString()).toBe("2026-11-20T15:06:00.000Z");
  });

  it("a cancellation frees its units for the next in line; refund and fulfilment settle", async () => {
    await deliverLive(SHOP, sellOutDay());
    expect((await queueState(t.db, SHOP)).lines).toEqual(EXPECTED_END);
    const history = await t.db.lineEvent.findMany({
      where: { shop: SHOP, lineItemId: String(IDS.lines.o5) },
      orderBy: { id: "asc" },
    });
    // o5 waits from its order until o3's cancelled units come back to stock. (A refund
    // reported before its restock can briefly move the shortage onto it again: the
    // history records what was seen; the state converges.)
    expect(history[0]).toMatchObject({ fromState: null, toState: "waiting", waiting: 2, reason: "orders/create" });
    expect(history.at(-1)).toMatchObject({ toState: "allocated", waiting: 0 });
    const firstCover = history.find((h) => h.toState === "allocated")!;
    expect(firstCover.at.toISOString()).toBe("2026-11-20T15:07:00.000Z");
    const o1 = await lineOf(IDS.lines.o1);
    expect(o1.fulfilledAt?.toISOString()).toBe("2026-11-20T15:10:00.000Z");
  });
});

describe("convergence", () => {
  beforeEach(() => clearShop(SHOP));

  it.each([1, 2, 3, 42, 1234])("the same stream shuffled (seed %i) and with duplicates ends in the same state", async (seed) => {
    const day = sellOutDay();
    // Every delivery twice (Shopify retries), plus a few re-sent under a new webhook id.
    const noisy = shuffled([...day, ...day, ...day.slice(0, 6).map((d) => ({ ...d, webhookId: `${d.webhookId}-resent` }))], seed);
    await deliver(SHOP, noisy);
    // Drain midway and at the end, so events meet partially applied state.
    await drainInbox(t.db);
    await deliver(SHOP, shuffled(day, seed + 1));
    await drainInbox(t.db);
    expect((await queueState(t.db, SHOP)).lines).toEqual(EXPECTED_END);
    expect(await t.db.webhookInbox.count({ where: { shop: SHOP } })).toBe(day.length + 6);
  });

  it("a refund whose order update never arrives still counts, once", async () => {
    const day = sellOutDay().filter((d) => !(d.topic === "orders/updated" && (d.payload as { id: number }).id === IDS.orders.o6));
    await deliver(SHOP, [...day, ...day.map((d) => ({ ...d, webhookId: `${d.webhookId}-again` }))]);
    await drainInbox(t.db);
    expect((await queueState(t.db, SHOP)).lines).toEqual(EXPECTED_END);
  });

  it("a stale inventory level never overwrites a newer one", async () => {
    const day = sellOutDay();
    const levels = day.filter((d) => d.topic === "inventory_levels/update");
    await deliver(SHOP, [day[0]!, ...[...levels].reverse()]);
    await drainInbox(t.db);
    const { levels: stored } = await queueState(t.db, SHOP);
    expect(stored.map((l) => l.available)).toEqual([-2]);
  });
});
