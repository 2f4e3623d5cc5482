// Large bodies in parts (app/inbox/body-parts.server.ts), through the real door and worker:
// retries and twins write no second body, redaction and shop erasure reach the parts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { signedWebhookRequest, webhookDoor } from "../support/webhooks.ts";
import { deleteOrphanedBodyParts, ORPHAN_AFTER_MS, PART_BYTES, readBodyParts, writeBodyParts } from "../../app/inbox/body-parts.server.ts";
import { storeLargeDelivery } from "../../app/inbox/inbox.server.ts";
import { drainInbox, retryInboxEvents } from "../../app/worker/worker.server.ts";
import { orderPayload } from "../../dev/fixtures/shopify-payloads.ts";

let t: TestDatabase;
let door: (r: Request) => Promise<Response>;
const A = "parts-a.myshopify.com";
const B = "parts-b.myshopify.com";
const customer = { id: 7_100_001, first: "Grace", last: "Hopper", email: "grace@example.com" };

beforeAll(async () => {
  t = await createTestDatabase("bodyparts");
  door = webhookDoor(t.db);
});
afterAll(() => t.drop());
beforeEach(async () => {
  for (const m of [
    "webhookInbox",
    "webhookBodyPart",
    "orderSnapshot",
    "backorderLine",
    "lineEvent",
    "redactedOrder",
    "complianceRequest",
  ] as const) {
    await (t.db[m] as unknown as { deleteMany(a: object): Promise<unknown> }).deleteMany({});
  }
});

/** An order of about 2.5 MiB (its note), so its body goes in three parts. */
function largeOrder(id: number) {
  const order = orderPayload({ id, createdAt: "2026-11-20T10:00:00Z", customer, lines: [{ id: id * 10, variantId: 88_101, quantity: 1 }] });
  return { ...order, note: "ü".repeat(1.25 * PART_BYTES) };
}

async function send(shop: string, topic: string, payload: unknown, webhookId: string) {
  const r = await door(signedWebhookRequest({ shop, topic, payload, webhookId }));
  expect(r.status).toBe(200);
}

const partsOf = (shop: string) => t.db.webhookBodyPart.count({ where: { shop } });

describe("large bodies in parts", () => {
  it("a retried delivery is answered as a duplicate without writing its body again", async () => {
    const payload = largeOrder(6_000_001);
    await send(A, "orders/create", payload, "retried");
    const parts = await partsOf(A);
    expect(parts).toBeGreaterThanOrEqual(Math.ceil(Buffer.byteLength(JSON.stringify(payload)) / PART_BYTES));
    await send(A, "orders/create", payload, "retried");
    expect(await t.db.webhookInbox.count()).toBe(1);
    expect(await partsOf(A)).toBe(parts);
  });

  it("of two twins arriving together, one is stored and the other takes its parts back out", async () => {
    const text = JSON.stringify(largeOrder(6_000_002));
    const twin = () => storeLargeDelivery(t.db, { shop: A, topic: "orders/create", webhookId: "twin", payload: text });
    expect((await Promise.all([twin(), twin()])).sort()).toEqual([false, true]);
    const row = await t.db.webhookInbox.findFirstOrThrow();
    expect(await t.db.webhookBodyPart.count()).toBe(await t.db.webhookBodyPart.count({ where: { bodyId: row.bodyId! } }));
    expect(await readBodyParts(t.db, row.bodyId!)).toBe(text);
  });

  it("customers/redact rewrites a waiting body without the customer; it still applies", async () => {
    await send(A, "orders/create", largeOrder(6_000_003), "waiting");
    // Failed once and waiting for its retry when the redaction comes.
    await t.db.webhookInbox.updateMany({ data: { status: "failed", nextAttemptAt: new Date(Date.now() + 3_600_000) } });
    await send(
      A,
      "customers/redact",
      { shop_id: 1, shop_domain: A, customer: { id: customer.id, email: customer.email, phone: null }, orders_to_redact: [6_000_003] },
      "redact",
    );
    expect(await drainInbox(t.db)).toMatchObject({ processed: 1, failed: 0 });
    const row = await t.db.webhookInbox.findFirstOrThrow({ where: { webhookId: "waiting" } });
    const body = row.bodyId ? await readBodyParts(t.db, row.bodyId) : row.payload;
    expect(body).toContain('"id":6000003');
    expect(body).not.toContain(customer.email);
    expect(body).not.toContain(String(customer.id));
    // The old parts are gone (the redacted body is small: it is in the row now).
    expect(await partsOf(A)).toBe(row.bodyId ? await t.db.webhookBodyPart.count({ where: { bodyId: row.bodyId } }) : 0);

    expect(await retryInboxEvents(t.db, A)).toBe(1);
    expect(await drainInbox(t.db)).toMatchObject({ processed: 1, failed: 0, rejected: 0 });
    expect(await t.db.webhookInbox.findFirstOrThrow({ where: { webhookId: "waiting" } })).toMatchObject({ status: "done", bodyId: null });
    expect(await t.db.orderSnapshot.findFirstOrThrow({ where: { shop: A, orderId: "6000003" } })).toMatchObject({ customerId: null });
    expect(await partsOf(A)).toBe(0);
  });

  it("shop/redact erases the shop's bodies, orphaned parts too, and not another shop's", async () => {
    await send(A, "orders/create", largeOrder(6_000_004), "a-order");
    await send(B, "orders/create", largeOrder(6_000_005), "b-order");
    await t.db.webhookInbox.updateMany({ data: { status: "failed", nextAttemptAt: new Date(Date.now() + 3_600_000) } });
    // Parts whose row was never written (the process died between the two).
    await writeBodyParts(t.db, A, "x".repeat(PART_BYTES + 1));
    await send(A, "shop/redact", { shop_id: 1, shop_domain: A }, "shop-redact");
    await drainInbox(t.db);
    expect(await partsOf(A)).toBe(0);
    const b = await t.db.webhookInbox.findFirstOrThrow({ where: { shop: B } });
    expect(JSON.parse(await readBodyParts(t.db, b.bodyId!))).toEqual(largeOrder(6_000_005));
  });

  it("parts whose delivery was never stored are swept once they are old, and no others", async () => {
    await send(A, "orders/create", largeOrder(6_000_006), "stored");
    const orphan = await writeBodyParts(t.db, A, "y".repeat(PART_BYTES + 1));
    const stored = (await t.db.webhookInbox.findFirstOrThrow()).bodyId!;
    // A body being written right now is not an orphan.
    expect(await deleteOrphanedBodyParts(t.db)).toBe(0);
    const later = new Date(Date.now() + ORPHAN_AFTER_MS + 1000);
    expect(await deleteOrphanedBodyParts(t.db, later)).toBe(1);
    expect(await t.db.webhookBodyPart.count({ where: { bodyId: orphan } })).toBe(0);
    expect(JSON.parse(await readBodyParts(t.db, stored))).toEqual(largeOrder(6_000_006));
  });
});
