// What the webhook door stores and refuses. Signed deliveries with usable headers are stored
// raw, byte for byte (the worker parses them); refused ones store nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { signedWebhookRequest, webhookDoor } from "../support/webhooks.ts";
import { inventoryLevelPayload, orderPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { webhookLimits } from "../../app/config.server.ts";

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
  it("stores a correctly signed delivery once, raw, and answers 200", async () => {
    const req = signedWebhookRequest({ shop, topic: "inventory_levels/update", payload, webhookId: "w-1" });
    const res = await door(req);
    expect(res.status).toBe(200);
    const rows = await t.db.webhookInbox.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      shop,
      topic: "inventory_levels/update",
      webhookId: "w-1",
      status: "pending",
      apiVersion: req.headers.get("X-Shopify-API-Version"),
      eventId: req.headers.get("X-Shopify-Event-Id"),
      triggeredAt: new Date(req.headers.get("X-Shopify-Triggered-At")!),
    });
    expect(rows[0]!.payload).toBe(JSON.stringify(payload));
  });

  it("stores the topic in our form when Shopify sends its storage name", async () => {
    expect((await door(signedWebhookRequest({ shop, topic: "INVENTORY_LEVELS_UPDATE", payload }))).status).toBe(200);
    expect(await t.db.webhookInbox.findFirstOrThrow()).toMatchObject({ topic: "inventory_levels/update" });
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
    const body = JSON.stringify({ ...payload, available: 500 });
    const headers = new Headers(req.headers);
    headers.set("Content-Length", String(Buffer.byteLength(body)));
    const tampered = new Request(req.url, { method: "POST", headers, body });
    expect((await door(tampered)).status).toBe(401);
    expect(await stored()).toBe(0);
  });

  it("refuses an unsigned delivery with 401", async () => {
    const res = await door(signedWebhookRequest({ shop, topic: "inventory_levels/update", payload, hmac: null }));
    expect(res.status).toBe(401);
    expect(await res.text()).toMatch(/X-Shopify-Hmac-Sha256 is missing/);
    expect(await stored()).toBe(0);
  });

  // The payload is the worker's to judge (it keeps what it cannot use as "rejected", with
  // the reason): a signed delivery is stored whatever its body, so Shopify's copy is ours.
  it("stores a signed body that is not JSON, as sent", async () => {
    const res = await door(signedWebhookRequest({ shop, topic: "orders/create", payload: null, rawBody: "{not json", webhookId: "w-nj" }));
    expect(res.status).toBe(200);
    expect(await t.db.webhookInbox.findFirstOrThrow()).toMatchObject({ webhookId: "w-nj", status: "pending", payload: "{not json" });
  });

  it("stores a signed payload missing what the engine needs, as sent", async () => {
    const bad = { ...orderPayload({ id: 1, createdAt: "2026-11-20T10:00:00Z", lines: [] }), line_items: [{ id: 5, quantity: "two" }] };
    const res = await door(signedWebhookRequest({ shop, topic: "orders/create", payload: bad }));
    expect(res.status).toBe(200);
    expect(await t.db.webhookInbox.findFirstOrThrow()).toMatchObject({
      topic: "orders/create",
      status: "pending",
      payload: JSON.stringify(bad),
    });
  });

  it("stores topics the app does not subscribe to under the topic as sent", async () => {
    const res = await door(signedWebhookRequest({ shop, topic: "carts/update", payload: { id: 1 } }));
    expect(res.status).toBe(200);
    expect(await t.db.webhookInbox.findFirstOrThrow()).toMatchObject({ topic: "carts/update", status: "pending", payload: '{"id":1}' });
  });

  it("refuses GET with 405", async () => {
    const res = await door(new Request("https://app.example.test/webhooks", { method: "GET" }));
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("POST");
  });
});

describe("the /webhooks route", () => {
  it("uses the app's API secret and WEBHOOK_MAX_BODY_BYTES from the environment", async () => {
    // The route builds its door from the process's configuration on first use.
    globalThis.__backorderDb = t.db;
    process.env.SHOPIFY_API_KEY = "route-key";
    process.env.SHOPIFY_API_SECRET = "route-secret";
    process.env.WEBHOOK_MAX_BODY_BYTES = "2000";
    process.env.BACKORDER_WORKER = "off"; // the stored row stays for us to look at
    const { action } = await import("../../app/routes/webhooks.tsx");
    const post = (request: Request) => action({ request, params: {}, context: {} });

    const ours = signedWebhookRequest({ shop, topic: "inventory_levels/update", payload, webhookId: "via-route", secret: "route-secret" });
    expect((await post(ours)).status).toBe(200);
    expect(await t.db.webhookInbox.findFirstOrThrow()).toMatchObject({ webhookId: "via-route", payload: JSON.stringify(payload) });

    expect((await post(signedWebhookRequest({ shop, topic: "inventory_levels/update", payload }))).status).toBe(401); // the test secret is not the app's
    const big = signedWebhookRequest({
      shop,
      topic: "orders/create",
      payload: null,
      rawBody: JSON.stringify({ note: "x".repeat(2000) }),
      secret: "route-secret",
    });
    expect((await post(big)).status).toBe(413);
    expect(await stored()).toBe(1);
  });
});

describe("webhook limits", () => {
  it("default to 45 MiB a body and four bodies' worth at once", () => {
    expect(webhookLimits({})).toEqual({ maxBodyBytes: 45 * 1024 * 1024, budgetBytes: 4 * 45 * 1024 * 1024 });
    expect(webhookLimits({ WEBHOOK_MAX_BODY_BYTES: "1000" })).toEqual({ maxBodyBytes: 1000, budgetBytes: 4000 });
  });

  it("refuse a setting that is not a number of bytes, or a budget smaller than one body, at start-up", () => {
    expect(() => webhookLimits({ WEBHOOK_MAX_BODY_BYTES: "32MB" })).toThrow(
      'WEBHOOK_MAX_BODY_BYTES must be a whole number of bytes, got "32MB"',
    );
    expect(() => webhookLimits({ WEBHOOK_MAX_BODY_BYTES: "0" })).toThrow(/WEBHOOK_MAX_BODY_BYTES must be a whole number of bytes/);
    expect(() => webhookLimits({ WEBHOOK_MAX_BODY_BYTES: "1000", WEBHOOK_BODY_BUDGET_BYTES: "999" })).toThrow(
      /must be at least WEBHOOK_MAX_BODY_BYTES/,
    );
  });
});
