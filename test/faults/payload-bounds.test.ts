// End to end: signed deliveries with values out of bounds pass
// the door (HMAC valid: stored raw), and the worker rejects each at once with a reason naming
// the field; nothing else changes and the shop's other events still apply.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { signedWebhookRequest, webhookDoor } from "../support/webhooks.ts";
import { queueState } from "../support/queue-state.ts";
import { drainInbox } from "../../app/worker/worker.server.ts";
import { IDS, sellOutDay } from "../../dev/fixtures/sell-out-day.ts";
import { inventoryLevelPayload, orderPayload, refundPayload } from "../../dev/fixtures/shopify-payloads.ts";

let t: TestDatabase;
const BAD = "bounds-bad.myshopify.com";
const REFERENCE = "bounds-ref.myshopify.com";

const line = (quantity: number) => ({ id: 6_600_000_001, variantId: IDS.variant, quantity });
const order = (patch: (p: ReturnType<typeof orderPayload>) => void) => {
  const p = orderPayload({ id: 6_700_000_001, createdAt: "2026-11-20T10:30:00-05:00", lines: [line(1)] });
  patch(p);
  return p;
};

// Each: topic, raw body (as Shopify's JSON would spell it), the field the reason must name.
const OUT_OF_BOUNDS: [string, string, RegExp][] = [
  [
    "orders/create",
    JSON.stringify(order((p) => (p.line_items[0]!.quantity = 1e300))),
    /line_items\[0\]\.quantity must be an integer, got "1e\+?300"/,
  ],
  [
    "orders/create",
    JSON.stringify(order((p) => (p.line_items[0]!.quantity = 3e9))),
    /line_items\[0\]\.quantity must be from 0 to 1000000000, got 3000000000/,
  ],
  [
    "orders/updated",
    JSON.stringify(order((p) => (p.updated_at = "+275760-09-13T00:00:00Z"))),
    /updated_at must be an ISO date between 1970 and 2200/,
  ],
  [
    "inventory_levels/update",
    JSON.stringify(inventoryLevelPayload(IDS.item, IDS.location, -3e9, "2026-11-20T10:30:00-05:00")),
    /available must be from -1000000000 to 1000000000, got -3000000000/,
  ],
  [
    "refunds/create",
    JSON.stringify(
      refundPayload({
        id: 6_800_000_001,
        orderId: IDS.orders.o6,
        createdAt: "2026-11-20T10:30:00-05:00",
        lines: [{ lineItemId: IDS.lines.o6, quantity: 1e300 }],
      }),
    ),
    /refund_line_items\[0\]\.quantity must be an integer/,
  ],
  // 20 digits: beyond Shopify's 64-bit ids, whatever the parser keeps.
  [
    "orders/create",
    JSON.stringify(order(() => {})).replace(`"id":6700000001`, `"id":12345678901234567890`),
    /^.*\bid must be a Shopify id/,
  ],
];

async function deliver(shop: string, topic: string, rawBody: string) {
  const r = await webhookDoor(t.db)(signedWebhookRequest({ shop, topic, payload: null, rawBody }));
  expect(r.status, `${topic} ${rawBody.slice(0, 80)}`).toBe(200);
}

beforeAll(async () => {
  t = await createTestDatabase("payload_bounds");
  const day = sellOutDay();
  for (const d of day) await deliver(REFERENCE, d.topic, JSON.stringify(d.payload));
  // The same day with the bad deliveries spread through it.
  for (const [i, d] of day.entries()) {
    await deliver(BAD, d.topic, JSON.stringify(d.payload));
    const bad = OUT_OF_BOUNDS[i];
    if (bad) await deliver(BAD, bad[0], bad[1]);
  }
  await drainInbox(t.db);
});
afterAll(() => t.drop());

describe("values out of bounds, through the door and the worker", () => {
  it("each is rejected at once with a reason naming the field", async () => {
    const rejected = await t.db.webhookInbox.findMany({ where: { shop: BAD, status: { not: "done" } }, orderBy: { id: "asc" } });
    expect(rejected.map((r) => r.status)).toEqual(OUT_OF_BOUNDS.map(() => "rejected"));
    for (const [i, [, , reason]] of OUT_OF_BOUNDS.entries()) {
      expect(rejected[i]!.lastError).toMatch(reason);
      expect(rejected[i]!.attempts).toBeLessThanOrEqual(1); // no retry cycle
    }
  });

  it("nothing else changes: the queue is the one the good events alone give", async () => {
    expect(await t.db.webhookInbox.count({ where: { shop: BAD, status: "done" } })).toBe(sellOutDay().length);
    expect(await queueState(t.db, BAD)).toEqual(await queueState(t.db, REFERENCE));
    expect(await t.db.orderSnapshot.count({ where: { shop: BAD, orderId: "6700000001" } })).toBe(0);
    expect(await t.db.backorderLine.count({ where: { shop: BAD, quantity: { gt: 1_000_000_000 } } })).toBe(0);
  });
});
