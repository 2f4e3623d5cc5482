// Shopify Flow triggers end to end: a flash sale through signed webhooks, the worker and
// the sync runner against the stand-in, which checks each flowTriggerReceive against the
// 2026-10 schema and the payload against the trigger extension's declared fields
// (extensions/flow-*). Each trigger arrives once per line and date, duplicates of the
// webhooks add none, a moved restock date, a restock and a cancellation send theirs, a
// failing call is retried, and a shop that turned the triggers off gets none.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createHarness, type Harness } from "./harness.ts";
import { flashSale } from "../../dev/fixtures/flash-sale.ts";
import { inventoryLevelPayload, orderPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { FLOW_TRIGGERS } from "../../app/backorder/flow-triggers.ts";
import { enqueueTask } from "../../app/sync/tasks.server.ts";
import { syncBackoffMs } from "../../app/sync/runner.server.ts";
import { fromCalendarDate } from "../../app/backorder/eta.ts";
import { loadSettings, loadSyncProblems, saveSettings } from "../../app/admin/settings.server.ts";
import { createFlowLifecycleHandler } from "../../app/inbox/flow-lifecycle.server.ts";
import { shopifyWebhookHeaders } from "../../dev/webhook-signing.ts";
import { TEST_SECRET } from "../support/webhooks.ts";

const SHOP = "flow.myshopify.com";
const LOCATION = 655441491; // the flash sale's
const VARIANTS = 2;
const STOCK = 6;
const sale = flashSale({ orders: 16, variants: VARIANTS, stockPerVariant: STOCK, location: LOCATION });
const variantId = (v: number) => String(20_000 + v);

let t: TestDatabase;
let h: Harness;

const received = (handle?: string) => h.shop.flowTriggers.filter((x) => !handle || x.handle === handle);
const backordered = () =>
  t.db.backorderLine.findMany({ where: { shop: SHOP, backorderedAt: { not: null } }, orderBy: { lineItemId: "asc" } });
const flowTasks = () => t.db.syncTask.findMany({ where: { shop: SHOP, kind: "flow" } });

/** Flow's lifecycle callback, signed as Shopify signs it, through the app's handler. */
async function lifecycle(definition: string, enabled: boolean, timestamp: string, secret = TEST_SECRET) {
  const body = JSON.stringify({
    flow_trigger_definition_id: definition,
    has_enabled_flow: enabled,
    shop_id: 690933842,
    shopify_domain: SHOP,
    timestamp,
  });
  const signed = shopifyWebhookHeaders({ shop: SHOP, topic: "flow", apiVersion: "2026-10", webhookId: "x", secret, body });
  const headers = { "Content-Type": "application/json", "X-Shopify-Hmac-Sha256": signed["X-Shopify-Hmac-Sha256"]! };
  return createFlowLifecycleHandler({ db: t.db, apiSecret: TEST_SECRET })(
    new Request("https://app.example.test/flow/lifecycle", { method: "POST", headers, body }),
  );
}

async function syncAll() {
  await h.sync();
  await h.run(); // triggers enqueued by the variant sync (a moved date) go in the next pass
}

beforeAll(async () => {
  t = await createTestDatabase("sync_flow");
  h = await createHarness(t.db, SHOP, (shop) => {
    shop.addLocation(LOCATION, "Warehouse");
    for (let v = 0; v < VARIANTS; v++) {
      shop.addProduct({
        id: 10_000 + v,
        title: `Drop ${v}`,
        updatedAt: "2026-11-27T14:00:00Z",
        variants: [{ id: 20_000 + v, inventoryItemId: 30_000 + v, stock: { [LOCATION]: STOCK } }],
      });
    }
  });
  for (let v = 0; v < VARIANTS; v++) {
    await t.db.variantPolicy.create({
      data: { shop: SHOP, variantId: variantId(v), enabled: true, restockDate: fromCalendarDate("2026-12-14"), incomingQuantity: 100 },
    });
  }
  // The merchant turned on workflows on all four triggers (Flow names them by title or handle).
  expect((await lifecycle("Backorder created", true, "2026-11-20T10:00:00Z")).status).toBe(204);
  for (const handle of [FLOW_TRIGGERS.shipDateChanged, FLOW_TRIGGERS.ready, FLOW_TRIGGERS.cancelled]) {
    expect((await lifecycle(handle, true, "2026-11-20T10:00:00Z")).status).toBe(204);
  }
  await h.deliver(sale);
  await syncAll();
}, 120_000);

afterAll(async () => {
  await h?.close();
  await t?.drop();
});

describe("Flow triggers through the sync", () => {
  it("sends 'backorder created' once for each line that waits, with the declared fields", async () => {
    const lines = await backordered();
    expect(lines.length).toBeGreaterThan(3);
    const created = received(FLOW_TRIGGERS.created);
    expect(created.map((x) => x.payload.order_id).sort()).toEqual(lines.map((l) => Number(l.orderId)).sort());
    for (const line of lines) {
      const p = created.find((x) => x.payload.order_id === Number(line.orderId))!.payload;
      expect(p).toMatchObject({
        customer_id: Number(line.customerId),
        product_id: Number(line.productId),
        "Variant ID": `gid://shopify/ProductVariant/${line.variantId}`,
        "Order name": line.orderName,
        "Quantity ordered": line.openQuantity,
        "Ordered at": line.orderedAt.toISOString(),
      });
      expect(p["Quantity waiting"]).toBeGreaterThan(0);
      // The date the queue promises (restock on the 14th, plus a processing day).
      expect(p["Ship date"]).toBe("2026-12-15");
      expect(line.promisedShipDate).toBe("2026-12-15");
    }
    expect(await t.db.syncTask.count({ where: { shop: SHOP, status: { not: "done" } } })).toBe(0);
  });

  it("does not send again when Shopify delivers the same webhooks again", async () => {
    const before = received().length;
    await h.deliver(sale.map((d) => ({ ...d, webhookId: `${d.webhookId}-again` })));
    await syncAll();
    expect(received().length).toBe(before);
  });

  it("sends 'ship date changed' for each waiting line when the restock date moves, once", async () => {
    const waiting = await t.db.backorderLine.findMany({ where: { shop: SHOP, variantId: variantId(0), state: "waiting" } });
    expect(waiting.length).toBeGreaterThan(0);
    await t.db.$transaction(async (tx) => {
      await tx.variantPolicy.update({
        where: { shop_variantId: { shop: SHOP, variantId: variantId(0) } },
        data: { restockDate: fromCalendarDate("2026-12-21") },
      });
      await enqueueTask(tx, SHOP, "variant", variantId(0), h.clock.date());
    });
    await syncAll();
    const changed = received(FLOW_TRIGGERS.shipDateChanged);
    expect(changed.map((x) => x.payload.order_id).sort()).toEqual(waiting.map((l) => Number(l.orderId)).sort());
    expect(new Set(changed.map((x) => x.payload["Ship date"]))).toEqual(new Set(["2026-12-22"]));
    // The same date pushed again (a daily refresh) is not a change.
    await t.db.$transaction((tx) => enqueueTask(tx, SHOP, "variant", variantId(0), h.clock.date()));
    await syncAll();
    expect(received(FLOW_TRIGGERS.shipDateChanged)).toHaveLength(changed.length);
  });

  it("sends 'backorder cancelled' for a waiting line whose order is cancelled", async () => {
    const [line] = await t.db.backorderLine.findMany({
      where: { shop: SHOP, variantId: variantId(1), state: "waiting" },
      orderBy: { orderedAt: "desc" },
      take: 1,
    });
    const order = sale.find((d) => d.topic === "orders/create" && (d.payload as { id: number }).id === Number(line!.orderId))!;
    const o = order.payload as { id: number; created_at: string; line_items: { id: number; variant_id: number; quantity: number }[] };
    const cancelledAt = new Date(Date.parse(o.created_at) + 3_600_000).toISOString();
    await h.deliver([
      {
        topic: "orders/cancelled",
        payload: orderPayload({
          id: o.id,
          createdAt: o.created_at,
          updatedAt: cancelledAt,
          cancelledAt,
          lines: o.line_items.map((l) => ({ id: l.id, variantId: l.variant_id, quantity: l.quantity, current: 0, fulfillable: 0 })),
        }),
      },
    ]);
    await syncAll();
    const cancelled = received(FLOW_TRIGGERS.cancelled);
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]!.payload).toMatchObject({ order_id: o.id, "Cancelled on": cancelledAt.slice(0, 10) });
  });

  it("sends 'ready to ship' for each waiting line a restock covers, and retries a failing call", async () => {
    const waiting = await t.db.backorderLine.findMany({ where: { shop: SHOP, variantId: variantId(1), state: "waiting" } });
    expect(waiting.length).toBeGreaterThan(0);
    // Shopify keeps failing the first trigger call past the gateway's own retries (1 + 4):
    // the task stays pending with the error, and goes through on the runner's retry.
    h.standin.failNext(5, { kind: "http", status: 502 }, (c) => c.operationName === "FlowTriggerReceive");
    await h.deliver([{ topic: "inventory_levels/update", payload: inventoryLevelPayload(30_001, LOCATION, 500, "2026-11-28T10:00:00Z") }]);
    await syncAll();
    const retrying = await t.db.syncTask.findMany({ where: { shop: SHOP, kind: "flow", status: "pending" } });
    expect(retrying).toHaveLength(1);
    expect(retrying[0]!.lastError).toMatch(/attempt 1/);
    h.clock.advance(syncBackoffMs(1));
    await h.run();
    const ready = received(FLOW_TRIGGERS.ready);
    expect(ready.map((x) => x.payload.order_id).sort()).toEqual(waiting.map((l) => Number(l.orderId)).sort());
    expect(new Set(ready.map((x) => x.payload["Ready on"]))).toEqual(new Set(["2026-11-28"]));
    expect((await flowTasks()).every((x) => x.status === "done")).toBe(true);
  });

  it("shows a trigger Shopify refuses in Settings' sync problems", async () => {
    h.standin.failNext(
      1,
      { kind: "userErrors", userErrors: [{ field: ["payload"], message: "Invalid payload" }] },
      (c) => c.operationName === "FlowTriggerReceive",
    );
    await h.deliver([
      {
        topic: "orders/create",
        payload: orderPayload({
          id: 3_000_001,
          createdAt: "2026-11-28T11:00:00Z",
          lines: [{ id: 3_100_001, variantId: 20_000, quantity: 1 }],
        }),
      },
      { topic: "inventory_levels/update", payload: inventoryLevelPayload(30_000, LOCATION, -50, "2026-11-28T11:00:00Z") },
    ]);
    await syncAll();
    const problems = await loadSyncProblems(t.db, SHOP);
    expect(JSON.stringify(problems)).toContain("Invalid payload");
  });

  it("is refused by Flow (the stand-in) for an unknown handle or a payload unlike the extension's fields", async () => {
    const gateway = h.gateways(SHOP);
    const good = received(FLOW_TRIGGERS.ready)[0]!.payload;
    await expect(gateway.flowTriggerReceive("backorder-shipped", good)).rejects.toMatchObject({
      permanent: true,
      message: expect.stringMatching(/handle/),
    });
    await expect(gateway.flowTriggerReceive(FLOW_TRIGGERS.ready, { ...good, "Quantity waiting": "1" })).rejects.toMatchObject({
      permanent: true,
      message: expect.stringMatching(/Quantity waiting/),
    });
    const { "Ready on": _dropped, ...missing } = good;
    await expect(gateway.flowTriggerReceive(FLOW_TRIGGERS.ready, missing)).rejects.toMatchObject({
      permanent: true,
      message: expect.stringMatching(/Ready on is missing/),
    });
  });

  it("sends only the triggers Flow says the shop has an enabled workflow on; an older callback changes nothing", async () => {
    expect((await lifecycle(FLOW_TRIGGERS.created, true, "2026-11-20T10:00:00Z", "not-the-secret")).status).toBe(401);
    expect((await lifecycle(FLOW_TRIGGERS.created, false, "2026-11-28T12:00:00Z")).status).toBe(204);
    expect((await lifecycle(FLOW_TRIGGERS.created, true, "2026-11-28T11:59:59Z")).status).toBe(204); // late, stale
    expect((await lifecycle("Someone else's trigger", true, "2026-11-28T12:00:00Z")).status).toBe(204);
    expect(
      await t.db.flowTriggerUse.findMany({ where: { shop: SHOP }, orderBy: { trigger: "asc" }, select: { trigger: true, enabled: true } }),
    ).toEqual([
      { trigger: FLOW_TRIGGERS.cancelled, enabled: true },
      { trigger: FLOW_TRIGGERS.created, enabled: false },
      { trigger: FLOW_TRIGGERS.ready, enabled: true },
      { trigger: FLOW_TRIGGERS.shipDateChanged, enabled: true },
    ]);
    const before = received(FLOW_TRIGGERS.created).length;
    await h.deliver([
      {
        topic: "orders/create",
        payload: orderPayload({
          id: 3_000_003,
          createdAt: "2026-11-28T12:30:00Z",
          lines: [{ id: 3_100_003, variantId: 20_000, quantity: 1 }],
        }),
      },
      { topic: "inventory_levels/update", payload: inventoryLevelPayload(30_000, LOCATION, -51, "2026-11-28T12:30:00Z") },
    ]);
    await syncAll();
    expect((await t.db.backorderLine.findUnique({ where: { shop_lineItemId: { shop: SHOP, lineItemId: "3100003" } } }))?.state).toBe(
      "waiting",
    );
    expect(received(FLOW_TRIGGERS.created)).toHaveLength(before);
    expect(
      await t.db.syncTask.count({ where: { shop: SHOP, kind: "flow", targetId: { startsWith: `${FLOW_TRIGGERS.created}|3100003|` } } }),
    ).toBe(0);
  });

  it("sends nothing for a shop that turned Flow triggers off", async () => {
    const before = (await flowTasks()).length;
    const s = await loadSettings(t.db, SHOP);
    const form = {
      ...s,
      defaultLeadTimeDays: String(s.defaultLeadTimeDays),
      processingDays: String(s.processingDays),
      flowTriggers: "off",
    };
    expect(await saveSettings(t.db, SHOP, form, h.clock.date())).toMatchObject({ ok: true });
    await h.deliver([
      {
        topic: "orders/create",
        payload: orderPayload({
          id: 3_000_002,
          createdAt: "2026-11-28T13:00:00Z",
          lines: [{ id: 3_100_002, variantId: 20_000, quantity: 1 }],
        }),
      },
      { topic: "inventory_levels/update", payload: inventoryLevelPayload(30_000, LOCATION, -52, "2026-11-28T13:00:00Z") },
    ]);
    await syncAll();
    expect((await t.db.backorderLine.findUnique({ where: { shop_lineItemId: { shop: SHOP, lineItemId: "3100002" } } }))?.state).toBe(
      "waiting",
    );
    expect((await flowTasks()).length).toBe(before);
  });
});
