// After customers/redact no row anywhere holds the customer's name, email
// or id for the orders concerned, and a later webhook about those orders cannot bring them
// back. Real door (HMAC-signed), real worker, real SQLite and PostgreSQL.
import fs from "node:fs";
import path from "node:path";
import { Prisma } from "../../prisma/generated/sqlite/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/db.ts";
import { migrationsDir } from "../../app/db/schema-paths.server.ts";
import { signedWebhookRequest, webhookDoor } from "../support/webhooks.ts";
import { drainInbox } from "../../app/worker/worker.server.ts";
import { IDS, sellOutDay } from "../../dev/fixtures/sell-out-day.ts";
import { fulfillmentPayload, orderPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { normalizeTopic, toDomainEvent } from "../../app/shopify/webhook-payloads.ts";

let t: TestDatabase;
let door: (r: Request) => Promise<Response>;
const A = "privacy-a.myshopify.com";
const B = "privacy-b.myshopify.com";

// Grace's data must leave shop A; every other value in the fixtures is distinct from these.
const GRACE = { id: 880_000_000_000_123, first: "Grace", last: "Hopper", email: "grace.hopper@example.org" };
const ADA = { id: 770_000_000_000_456, first: "Ada", last: "Lovelace", email: "ada.lovelace@example.org" };
const TRACES = [GRACE.email, String(GRACE.id), GRACE.last];
const O = { named: 6_100_000_001, byEmail: 6_100_000_002, customItemsOnly: 6_100_000_003, ada: 6_100_000_004 };
const L = { named: 6_200_000_001, byEmail: 6_200_000_002, custom: 6_200_000_003, ada: 6_200_000_004 };
const FAR = new Date("2100-01-01T00:00:00Z");
const at = (minute: number) => `2026-11-21T09:${String(minute).padStart(2, "0")}:00-05:00`;

async function send(shop: string, topic: string, payload: unknown) {
  const r = await door(signedWebhookRequest({ shop, topic, payload }));
  expect(r.status).toBe(200);
}

/** Shopify's order payload also carries addresses, contact email and browser details. */
function fullOrder(
  id: number,
  lineId: number,
  customer: typeof GRACE | null,
  minute: number,
  extra: { email?: string; quantity?: number; updated?: number; customItem?: boolean } = {},
) {
  const p = orderPayload({
    id,
    createdAt: at(minute),
    updatedAt: at(extra.updated ?? minute),
    customer,
    lines: [{ id: lineId, variantId: IDS.variant, quantity: extra.quantity ?? 1, title: "Linen Shirt", variantTitle: "M / Sand" }],
  });
  if (extra.customItem) (p.line_items[0] as { variant_id: number | null }).variant_id = null;
  const who = customer ?? { first: "", last: "", email: extra.email ?? "" };
  const address = {
    first_name: who.first,
    last_name: who.last,
    name: `${who.first} ${who.last}`,
    address1: "1 Navy Way",
    phone: "+1 555 0100",
  };
  return {
    ...p,
    email: customer?.email ?? extra.email ?? null,
    contact_email: customer?.email ?? extra.email ?? null,
    billing_address: address,
    shipping_address: address,
    client_details: { browser_ip: "203.0.113.7" },
  };
}

async function stored(shop: string, topic: string, payload: unknown, status: string, lastError: string | null = null) {
  return t.db.webhookInbox.create({
    data: {
      shop,
      topic,
      webhookId: `${topic}-${status}-${Math.random()}`,
      payload: typeof payload === "string" ? payload : JSON.stringify(payload),
      status,
      nextAttemptAt: FAR,
      lastError,
    },
  });
}

/** Rows of `shop` in every model whose text columns hold one of Grace's traces (models found from the schema). */
async function traces(shop: string) {
  const found: string[] = [];
  for (const model of Prisma.dmmf.datamodel.models) {
    expect(
      model.fields.some((f) => f.name === "shop"),
      `${model.name} has a shop column`,
    ).toBe(true);
    const delegate = t.db[(model.name[0]!.toLowerCase() + model.name.slice(1)) as keyof typeof t.db] as unknown as {
      findMany(a: object): Promise<Record<string, unknown>[]>;
    };
    const textFields = model.fields.filter((f) => f.kind === "scalar" && f.type === "String").map((f) => f.name);
    const or = textFields.flatMap((f) => TRACES.map((needle) => ({ [f]: { contains: needle } })));
    for (const row of await delegate.findMany({ where: { shop, OR: or } }))
      found.push(`${model.name} ${JSON.stringify(row).slice(0, 200)}`);
  }
  return found;
}

const lineOf = (shop: string, lineItemId: number) =>
  t.db.backorderLine.findUniqueOrThrow({ where: { shop_lineItemId: { shop, lineItemId: String(lineItemId) } } });

const mapStored = (row: { topic: string; payload: string }) => toDomainEvent(normalizeTopic(row.topic)!, JSON.parse(row.payload));

beforeAll(async () => {
  t = await createTestDatabase("privacy");
  door = webhookDoor(t.db);
  for (const shop of [A, B]) {
    for (const d of sellOutDay()) await send(shop, d.topic, d.payload);
    await send(shop, "orders/create", fullOrder(O.named, L.named, GRACE, 1));
    await send(shop, "orders/create", fullOrder(O.byEmail, L.byEmail, null, 2, { email: GRACE.email }));
    await send(shop, "orders/create", fullOrder(O.customItemsOnly, L.custom, GRACE, 3, { customItem: true }));
    await send(shop, "orders/create", fullOrder(O.ada, L.ada, ADA, 4));
    await send(shop, "customers/data_request", {
      shop_domain: shop,
      customer: { id: GRACE.id, email: GRACE.email, phone: null },
      orders_requested: [O.named],
      data_request: { id: 77 },
    });
  }
  await drainInbox(t.db);
});
afterAll(() => t.drop());

describe("customers/redact", () => {
  it("erases the customer from every table of the shop, keeps other customers and shops, and every event stays usable", async () => {
    expect(await traces(A)).not.toEqual([]); // the fixture does hold Grace everywhere it can

    // Events of shop A about Grace that the worker has not applied (yet, or ever).
    const waiting = await stored(A, "orders/updated", fullOrder(O.named, L.named, GRACE, 1, { quantity: 2, updated: 20 }), "pending");
    const failed = await stored(
      A,
      "orders/updated",
      fullOrder(O.byEmail, L.byEmail, null, 2, { email: GRACE.email, updated: 21 }),
      "failed",
      "Error: database went away",
    );
    const dead = await stored(
      A,
      "fulfillments/create",
      {
        ...fulfillmentPayload({ id: 6_300_000_001, orderId: O.named, createdAt: at(22), lines: [{ lineItemId: L.named, quantity: 1 }] }),
        email: GRACE.email,
        destination: { first_name: "Grace", last_name: "Hopper", address1: "1 Navy Way" },
      },
      "dead",
      "Error: gave up",
    );
    const tooBig = fullOrder(O.named, L.named, GRACE, 1, { updated: 23 });
    tooBig.line_items[0]!.quantity = 1e300;
    const rejected = await stored(
      A,
      "orders/updated",
      tooBig,
      "rejected",
      'PayloadError: line_items[0].quantity must be an integer, got "1e+300"',
    );
    const garbage = await stored(
      A,
      "orders/updated",
      `{"id": ${O.named}, "email": "${GRACE.email}", `,
      "rejected",
      "SyntaxError: Unexpected end of JSON input",
    );
    const unrelated = await stored(A, "orders/updated", fullOrder(O.ada, L.ada, ADA, 4, { updated: 24 }), "pending");
    const legacyDone = await stored(A, "orders/create", fullOrder(O.named, L.named, GRACE, 1), "done");
    const before = (id: number) => t.db.webhookInbox.findUniqueOrThrow({ where: { id } });
    const expectedWaiting = mapStored(await before(waiting.id));
    const expectedDead = mapStored(await before(dead.id));

    await send(A, "customers/redact", {
      shop_domain: A,
      customer: { id: GRACE.id, email: GRACE.email, phone: null },
      orders_to_redact: [O.named],
    });
    await drainInbox(t.db);

    expect(await traces(A)).toEqual([]);
    // Named, found by email, found by the snapshot's customer id: all three remembered as erased.
    expect((await t.db.redactedOrder.findMany({ where: { shop: A }, orderBy: { orderId: "asc" } })).map((r) => r.orderId)).toEqual(
      [O.named, O.byEmail, O.customItemsOnly].map(String),
    );
    expect(
      await t.db.orderSnapshot.count({
        where: { shop: A, orderId: { in: [O.named, O.byEmail, O.customItemsOnly].map(String) }, customerId: { not: null } },
      }),
    ).toBe(0);

    // The earlier data request keeps its date, loses the person.
    const request = await t.db.complianceRequest.findFirstOrThrow({ where: { shop: A, topic: "customers/data_request" } });
    expect(request).toMatchObject({ customerId: null, email: null, orderIds: "[]" });
    expect(request.redactedAt).not.toBeNull();
    expect(await t.db.complianceRequest.findFirstOrThrow({ where: { shop: A, topic: "customers/redact" } })).toMatchObject({
      customerId: null,
      email: null,
    });

    // Stored events keep their status and still say the same thing, without the customer.
    const after = async (id: number) => t.db.webhookInbox.findUniqueOrThrow({ where: { id } });
    expect((await after(waiting.id)).status).toBe("pending");
    expect(mapStored(await after(waiting.id))).toEqual({ ...expectedWaiting, customer: null });
    expect(mapStored(await after(failed.id))).toMatchObject({ kind: "order", orderId: String(O.byEmail), customer: null });
    expect(await after(dead.id)).toMatchObject({ status: "dead", lastError: "Error: gave up" });
    expect(mapStored(await after(dead.id))).toEqual(expectedDead);
    expect((await after(rejected.id)).status).toBe("rejected");
    const stillRejected = await after(rejected.id);
    expect(() => mapStored(stillRejected)).toThrow(/line_items\[0\]\.quantity must be/);
    expect((await after(garbage.id)).payload).toBe(""); // not JSON: it can never be applied, and it named her
    expect((await after(legacyDone.id)).payload).toBe(""); // applied long ago: nothing needs it
    expect((await after(unrelated.id)).payload).toBe((await before(unrelated.id)).payload);

    // Another customer of the shop, and the same customer in another shop, are untouched.
    expect(await lineOf(A, L.ada)).toMatchObject({ customerId: String(ADA.id), customerName: "Ada Lovelace", customerEmail: ADA.email });
    expect(await lineOf(B, L.named)).toMatchObject({
      customerId: String(GRACE.id),
      customerName: "Grace Hopper",
      customerEmail: GRACE.email,
    });
    expect(await traces(B)).not.toEqual([]);
    expect(await t.db.redactedOrder.count({ where: { shop: B } })).toBe(0);
  });

  // Continues from the state the test above leaves.
  it("a later webhook about an erased order, or a held-back one applied now, does not bring the customer back", async () => {
    await send(A, "orders/updated", fullOrder(O.named, L.named, GRACE, 1, { quantity: 3, updated: 40 }));
    await send(A, "orders/cancelled", {
      ...fullOrder(O.customItemsOnly, L.custom, GRACE, 3, { updated: 41, customItem: true }),
      cancelled_at: at(41),
    });
    await send(A, "orders/updated", fullOrder(O.byEmail, L.byEmail, null, 2, { email: GRACE.email, updated: 42 }));
    await t.db.webhookInbox.updateMany({ where: { shop: A, status: { in: ["pending", "failed"] } }, data: { nextAttemptAt: new Date() } });
    await drainInbox(t.db);

    expect(await t.db.webhookInbox.count({ where: { shop: A, status: { in: ["pending", "failed", "processing"] } } })).toBe(0);
    expect(await lineOf(A, L.named)).toMatchObject({ quantity: 3, customerId: null, customerName: null, customerEmail: null });
    expect(await lineOf(A, L.byEmail)).toMatchObject({ customerId: null, customerName: null, customerEmail: null });
    expect(
      await t.db.orderSnapshot.findUniqueOrThrow({ where: { shop_orderId: { shop: A, orderId: String(O.customItemsOnly) } } }),
    ).toMatchObject({
      customerId: null,
      cancelledAt: new Date(at(41)),
    });
    // Payloads of applied (done) events are emptied by the worker itself when it marks them done.
    expect(await traces(A)).toEqual([]);
    // A new order of hers is a new order: it keeps its customer until a redact names it.
    await send(A, "orders/create", fullOrder(6_100_000_009, 6_200_000_009, GRACE, 50));
    await drainInbox(t.db);
    expect((await lineOf(A, 6_200_000_009)).customerEmail).toBe(GRACE.email);
  });
});

describe("installs that redacted customers before RedactedOrder existed", () => {
  const C = "privacy-legacy.myshopify.com";
  const D = "privacy-no-redact.myshopify.com";

  /** The migration's backfill statement, run against this database as the migration runs it. */
  function backfill(): string {
    const dir = migrationsDir(testProvider());
    const name = fs.readdirSync(dir).find((d) => d.endsWith("_compliance_requests_and_redacted_orders"))!;
    const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
    return sql.slice(sql.indexOf("-- Orders redacted before RedactedOrder existed"));
  }

  it("the migration remembers the orders they erased, so a later webhook does not bring the customer back", async () => {
    for (const shop of [C, D]) {
      for (const d of sellOutDay()) await send(shop, d.topic, d.payload);
      await send(shop, "orders/create", fullOrder(O.named, L.named, GRACE, 1));
      await send(shop, "orders/create", fullOrder(O.customItemsOnly, L.custom, GRACE, 3, { customItem: true }));
    }
    await drainInbox(t.db);
    // What the old code left after a redact of Grace in shop C: her orders' snapshots and lines
    // without her, a redact record, and no RedactedOrder rows. Shop D never had a redact.
    for (const shop of [C, D]) {
      await t.db.backorderLine.updateMany({
        where: { shop, orderId: String(O.named) },
        data: { customerId: null, customerName: null, customerEmail: null },
      });
      await t.db.orderSnapshot.updateMany({
        where: { shop, orderId: { in: [String(O.named), String(O.customItemsOnly)] } },
        data: { customerId: null },
      });
    }
    await t.db.complianceRequest.create({ data: { shop: C, topic: "customers/redact", customerId: String(GRACE.id) } });
    await t.db.redactedOrder.deleteMany({ where: { shop: { in: [C, D] } } });

    await t.db.$executeRawUnsafe(backfill());

    expect(
      (await t.db.redactedOrder.findMany({ where: { shop: { in: [C, D] } }, orderBy: { orderId: "asc" } })).map((r) => [r.shop, r.orderId]),
    ).toEqual([
      [C, String(O.named)],
      [C, String(O.customItemsOnly)],
    ]);
    // Orders that still have their customer are not touched (sellOutDay's are Ada's).
    expect(await t.db.redactedOrder.count({ where: { shop: C, orderId: String(IDS.orders.o1) } })).toBe(0);
    await send(C, "orders/updated", fullOrder(O.named, L.named, GRACE, 1, { updated: 30 }));
    await drainInbox(t.db);
    expect(await lineOf(C, L.named)).toMatchObject({ customerId: null, customerName: null, customerEmail: null });
  });
});
