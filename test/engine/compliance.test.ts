// app/uninstalled and the GDPR topics, through the real door and worker.
import { Prisma } from "../../prisma/generated/sqlite/index.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { signedWebhookRequest, webhookDoor } from "../support/webhooks.ts";
import { drainInbox } from "../../app/worker/worker.server.ts";
import { IDS, sellOutDay } from "../../dev/fixtures/sell-out-day.ts";
import { orderPayload } from "../../dev/fixtures/shopify-payloads.ts";

let t: TestDatabase;
let door: (r: Request) => Promise<Response>;
const A = "gdpr-a.myshopify.com";
const B = "gdpr-b.myshopify.com";

beforeAll(async () => {
  t = await createTestDatabase("gdpr");
  door = webhookDoor(t.db);
});
afterAll(() => t.drop());

async function send(shop: string, topic: string, payload: unknown, webhookId?: string) {
  const r = await door(signedWebhookRequest({ shop, topic, payload, ...(webhookId ? { webhookId } : {}) }));
  expect(r.status).toBe(200);
}

beforeEach(async () => {
  for (const m of [
    "lineEvent",
    "backorderLine",
    "orderAdjustment",
    "orderSnapshot",
    "inventoryLevel",
    "variant",
    "webhookInbox",
    "session",
    "shopSettings",
    "complianceRequest",
    "redactedOrder",
  ] as const) {
    await (t.db[m] as unknown as { deleteMany(a: object): Promise<unknown> }).deleteMany({});
  }
  for (const shop of [A, B]) for (const d of sellOutDay()) await send(shop, d.topic, d.payload, d.webhookId);
  await drainInbox(t.db);
});

const o3Customer = () => orderPayload({ id: IDS.orders.o3, createdAt: "2026-11-20T10:03:00-05:00", lines: [] }).customer!;

describe("compliance topics", () => {
  it("customers/redact removes the customer from lines, snapshots and stored payloads, in that shop only", async () => {
    const c = o3Customer();
    await send(A, "customers/redact", {
      shop_id: 1,
      shop_domain: A,
      customer: { id: c.id, email: c.email, phone: null },
      orders_to_redact: [IDS.orders.o3],
    });
    await drainInbox(t.db);
    const line = await t.db.backorderLine.findUniqueOrThrow({ where: { shop_lineItemId: { shop: A, lineItemId: String(IDS.lines.o3) } } });
    expect([line.customerId, line.customerName, line.customerEmail]).toEqual([null, null, null]);
    expect(await t.db.webhookInbox.count({ where: { shop: A, payload: { contains: c.email } } })).toBe(0);
    const other = await t.db.backorderLine.findUniqueOrThrow({ where: { shop_lineItemId: { shop: B, lineItemId: String(IDS.lines.o3) } } });
    expect(other.customerEmail).toBe(c.email);
    // A late replay of the order does not bring the customer back.
    await send(
      A,
      "orders/updated",
      orderPayload({
        id: IDS.orders.o3,
        createdAt: "2026-11-20T10:03:00-05:00",
        updatedAt: "2026-11-20T12:00:00-05:00",
        cancelledAt: "2026-11-20T10:07:00-05:00",
        lines: [{ id: IDS.lines.o3, variantId: IDS.variant, quantity: 2, fulfillable: 0 }],
      }),
    );
    await drainInbox(t.db);
    const again = await t.db.backorderLine.findUniqueOrThrow({ where: { shop_lineItemId: { shop: A, lineItemId: String(IDS.lines.o3) } } });
    expect(again.customerEmail).toBeNull();
  });

  it("customers/data_request records the request for the merchant", async () => {
    const c = o3Customer();
    await send(A, "customers/data_request", {
      shop_id: 1,
      shop_domain: A,
      orders_requested: [IDS.orders.o3],
      customer: { id: c.id, email: c.email, phone: null },
      data_request: { id: 9999 },
    });
    await drainInbox(t.db);
    const req = await t.db.complianceRequest.findFirstOrThrow({ where: { shop: A, topic: "customers/data_request" } });
    // The data itself is read live when the merchant opens it (test/faults/privacy.test.ts), not copied.
    expect(req).toMatchObject({
      customerId: String(c.id),
      email: c.email,
      orderIds: JSON.stringify([String(IDS.orders.o3)]),
      requestId: "9999",
      sentAt: null,
      redactedAt: null,
    });
  });

  it("app/uninstalled drops the shop's sessions but keeps its queue for a reinstall", async () => {
    await t.db.session.create({ data: { id: `offline_${A}`, shop: A, state: "x", accessToken: "shpat_x" } });
    await t.db.session.create({ data: { id: `offline_${B}`, shop: B, state: "x", accessToken: "shpat_y" } });
    await send(A, "app/uninstalled", { id: 1, name: "A", domain: A });
    await drainInbox(t.db);
    expect(await t.db.session.findMany({ select: { shop: true } })).toEqual([{ shop: B }]);
    expect(await t.db.backorderLine.count({ where: { shop: A } })).toBe(6);
    expect((await t.db.shopSettings.findUniqueOrThrow({ where: { shop: A } })).uninstalledAt).not.toBeNull();
  });

  it("shop/redact deletes everything of that shop and nothing of another", async () => {
    await t.db.autoEnableProduct.create({ data: { shop: A, productId: "632910392", collectionId: "gid://shopify/Collection/1" } });
    await send(A, "shop/redact", { shop_id: 1, shop_domain: A });
    await drainInbox(t.db);
    for (const m of ["backorderLine", "lineEvent", "orderSnapshot", "orderAdjustment", "inventoryLevel", "variant"] as const) {
      const count = (t.db[m] as unknown as { count(a: object): Promise<number> }).count.bind(t.db[m]);
      expect(await count({ where: { shop: A } }), m).toBe(0);
      expect(await count({ where: { shop: B } }), m).toBeGreaterThan(0);
    }
    expect(await t.db.webhookInbox.findMany({ where: { shop: A }, select: { topic: true } })).toEqual([{ topic: "shop/redact" }]);
    // Every table that holds a shop's data, including ones added after this test was written.
    const shopModels = Prisma.dmmf.datamodel.models.filter((m) => m.fields.some((f) => f.name === "shop")).map((m) => m.name);
    expect(shopModels).toContain("AutoEnableProduct");
    for (const name of shopModels) {
      if (name === "WebhookInbox") continue;
      const delegate = t.db[(name[0]!.toLowerCase() + name.slice(1)) as keyof typeof t.db] as unknown as {
        count(a: object): Promise<number>;
      };
      expect(await delegate.count({ where: { shop: A } }), name).toBe(0);
    }
  });
});
