// What the webhook route accepts and refuses; refused deliveries store nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { signedWebhookRequest, webhookDoor } from "../support/webhooks.ts";
import { inventoryLevelPayload, orderPayload } from "../../dev/fixtures/shopify-payloads.ts";

let t: TestDatabase;
let door: (r: Request) => Promise<Response>;
const shop = "door-test.myshopify.com";
const payload = inventoryLevelPayload(1, 2, -3, "2026-11-20T10:00:00-05:00");

beforeAll(async () => {
  t = await createTestDatabase("door");
  door = webhookDoor(t.db);
});
afterAll(() => t.drop());
beforeEach(async () => {
  await t.db.webhookInbox.deleteMany({});
});

const stored = () => t.db.webhookInbox.count();

describe("webhook door", () => {
  it("stores a correctly signed delivery once and answers 200", async () => {
    const res = await door(signedWebhookRequest({ shop, topic: "inventory_levels/update", payload, webhookId: "w-1" }));
    expect(res.status).toBe(200);
    const rows = await t.db.webhookInbox.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ shop, topic: "inventory_levels/update", webhookId: "w-1", status: "pending" });
    expect(JSON.parse(rows[0]!.payload)).toEqual(payload);
  });

  it("treats a retried delivery (same webhook id) as a no-op", async () => {
    for (let i = 0; i < 3; i++) {
      const res = await door(signedWebhookRequest({ shop, topic: "inventory_levels/update", payload, webhookId: "w-dup" }));
      expect(res.status).toBe(200);
    }
    expect(await stored()).toBe(1);
  });

  it("refuses a forged signature with 401 and stores nothing", async () => {
    const res = await door(signedWebhookRequest({ shop, topic: "inventory_levels/update", payload, secret: "not-our-secret" }));
    expect(res.status).toBe(401);
    expect(await stored()).toBe(0);
  });

  it("refuses a tampered body with 401", async () => {
    const req = signedWebhookRequest({ shop, topic: "inventory_levels/update", payload });
    const tampered = new Request(req.url, {
      method: "POST",
      headers: req.headers,
      body: JSON.stringify({ ...payload, available: 500 }),
    });
    expect((await door(tampered)).status).toBe(401);
    expect(await stored()).toBe(0);
  });

  it("refuses an unsigned delivery", async () => {
    const res = await door(signedWebhookRequest({ shop, topic: "inventory_levels/update", payload, hmac: null }));
    expect([400, 401]).toContain(res.status);
    expect(await stored()).toBe(0);
  });

  it("refuses a signed body that is not JSON with 400", async () => {
    const res = await door(signedWebhookRequest({ shop, topic: "orders/create", payload: null, rawBody: "{not json" }));
    expect(res.status).toBe(400);
    expect(await stored()).toBe(0);
  });

  it("refuses a signed payload missing what the engine needs, saying what is wrong", async () => {
    const bad = { ...orderPayload({ id: 1, createdAt: "2026-11-20T10:00:00Z", lines: [] }), line_items: [{ id: 5, quantity: "two" }] };
    const res = await door(signedWebhookRequest({ shop, topic: "orders/create", payload: bad }));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/line_items\[0\]\.quantity must be an integer/);
    expect(await stored()).toBe(0);
  });

  it("refuses topics the app does not subscribe to", async () => {
    const res = await door(signedWebhookRequest({ shop, topic: "carts/update", payload: { id: 1 } }));
    expect(res.status).toBe(400);
    expect(await stored()).toBe(0);
  });

  it("refuses GET", async () => {
    const res = await door(new Request("https://app.example.test/webhooks", { method: "GET" }));
    expect(res.status).toBe(405);
  });
});
