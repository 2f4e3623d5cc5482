// The worker parses stored payloads with ids kept exact, and a
// payload that cannot be parsed or mapped is "rejected" at once with its reason (no retry
// cycle ending dead), without holding back the shop's other events; the merchant sees it
// in Settings and can retry it. Bodies are stored raw, as the webhook door stores them.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { drainInbox, retryInboxEvents } from "../../app/worker/worker.server.ts";
import { storeDelivery } from "../../app/inbox/inbox.server.ts";
import { loadSyncProblems, retryWebhookEvents } from "../../app/admin/settings.server.ts";
import { orderPayload, productPayload } from "../../dev/fixtures/shopify-payloads.ts";

let t: TestDatabase;
const SHOP = "exact-ids.myshopify.com";
const OTHER = "someone-else.myshopify.com";

beforeAll(async () => {
  t = await createTestDatabase("rejected");
});
afterAll(() => t.drop());
beforeEach(async () => {
  for (const m of ["lineEvent", "backorderLine", "orderSnapshot", "variant", "webhookInbox"] as const) {
    await (t.db[m] as unknown as { deleteMany(a: object): Promise<unknown> }).deleteMany({});
  }
});

let n = 0;
async function store(topic: string, body: string, shop = SHOP) {
  const webhookId = `rej-${++n}`;
  expect(await storeDelivery(t.db, { shop, topic, webhookId, payload: body })).toBe(true);
  return webhookId;
}
const row = (webhookId: string) => t.db.webhookInbox.findFirstOrThrow({ where: { webhookId } });

const VARIANT = 7_700_001;
const product = () =>
  JSON.stringify(
    productPayload({
      id: 7_700_000,
      title: "Tee",
      updatedAt: "2026-11-27T14:00:00Z",
      variants: [{ id: VARIANT, inventoryItemId: 7_700_002 }],
    }),
  );
const order = (id: number, lineId: number) =>
  orderPayload({ id, createdAt: "2026-11-27T15:00:00Z", lines: [{ id: lineId, variantId: VARIANT, quantity: 1 }] });

describe("ids beyond 2^53", () => {
  it("two orders whose ids differ only beyond 2^53 stay two orders, digits exact", async () => {
    // Plain JSON.parse reads both as 9223372036854775000: the bodies carry the exact digits.
    const ids = ["9223372036854775557", "9223372036854775559"];
    const lineIds = ["9223372036854700001", "9223372036854700003"];
    for (const [k, id] of ids.entries()) {
      const body = JSON.stringify(order(1, 2)).replace('"id":1,', `"id":${id},`).replace('"id":2,', `"id":${lineIds[k]},`);
      expect(body).toContain(id);
      await store("orders/create", body);
    }
    expect(await drainInbox(t.db)).toEqual({ processed: 2, failed: 0, rejected: 0 });
    const orders = await t.db.orderSnapshot.findMany({ where: { shop: SHOP }, orderBy: { orderId: "asc" } });
    expect(orders.map((o) => o.orderId)).toEqual(ids);
    const lines = await t.db.backorderLine.findMany({ where: { shop: SHOP }, orderBy: { lineItemId: "asc" } });
    expect(lines.map((l) => [l.lineItemId, l.orderId])).toEqual([
      [lineIds[0], ids[0]],
      [lineIds[1], ids[1]],
    ]);
  });
});

describe("payloads the worker cannot use", () => {
  it("are rejected at once with the reason, and the shop's other events still apply", async () => {
    await store("products/update", product());
    const cases = [
      { body: "{not json", reason: /SyntaxError/ },
      { body: `${"[".repeat(10_000)}${"]".repeat(10_000)}`, reason: /nests deeper than 64 levels/ },
      { body: JSON.stringify({ id: 5 }), reason: /PayloadError: created_at must be an ISO date/ },
      {
        body: JSON.stringify(order(6, 60)).replace('"quantity":1,', '"quantity":1e300,'),
        reason: /line_items\[0\]\.quantity must be an integer, got "1e300"/,
      },
      {
        body: JSON.stringify(order(7, 70)).replace('"quantity":1,', '"quantity":30000000000000000000,'),
        reason: /line_items\[0\]\.quantity must be an integer/,
      },
      { body: "{}", topic: "orders/paid", reason: /unsupported topic orders\/paid/ },
    ];
    const rejected: string[] = [];
    for (const c of cases) rejected.push(await store(c.topic ?? "orders/create", c.body));
    const good = await store("orders/create", JSON.stringify(order(8, 80)));

    const start = new Date();
    expect(await drainInbox(t.db, { now: () => start })).toEqual({ processed: 2, failed: 0, rejected: cases.length });
    for (const [k, c] of cases.entries()) {
      const r = await row(rejected[k]!);
      expect(r.status, c.body.slice(0, 40)).toBe("rejected");
      expect(r.lastError).toMatch(c.reason);
      expect(r.attempts).toBe(1);
      expect(r.lockedBy).toBeNull();
    }
    // Rejected means "not retried": a much later pass leaves them alone.
    expect(await drainInbox(t.db, { now: () => new Date(start.getTime() + 86_400_000) })).toEqual({ processed: 0, failed: 0, rejected: 0 });
    expect((await row(good)).status).toBe("done");
    expect(await t.db.backorderLine.findMany({ where: { shop: SHOP }, select: { lineItemId: true } })).toEqual([{ lineItemId: "80" }]);

    // The merchant sees them with their reason (only this shop's) ...
    await store("orders/create", "{also not json", OTHER);
    await drainInbox(t.db);
    const problems = await loadSyncProblems(t.db, SHOP);
    expect(problems.eventCount).toBe(cases.length);
    expect(problems.events.every((e) => e.status === "rejected" && e.lastError)).toBe(true);
    expect(problems.events.map((e) => e.id).sort()).toEqual((await Promise.all(rejected.map(row))).map((r) => r.id).sort());

    // ... and a retry puts one back in line (a later deploy may map it).
    const first = await row(rejected[0]!);
    expect(await retryWebhookEvents(t.db, OTHER, [first.id])).toBe(0);
    expect(await retryWebhookEvents(t.db, SHOP, [first.id])).toBe(1);
    expect(await row(rejected[0]!)).toMatchObject({ status: "pending", attempts: 0, payload: "{not json" });
    expect(await retryInboxEvents(t.db, SHOP)).toBe(cases.length - 1);
    expect(await t.db.webhookInbox.count({ where: { shop: SHOP, status: "pending" } })).toBe(cases.length);
  });
});
