// Group commit of webhook deliveries: what arrives while a write is in flight goes in with the
// next INSERT, each delivery is stored once however its duplicates are spread over batches and
// writers, and every caller learns whether its own delivery was new.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { InboxWriter, storeBatch } from "../../app/inbox/inbox-writer.server.ts";
import { storeDelivery, type Delivery } from "../../app/inbox/inbox.server.ts";
import { createDb, libsqlClientOf, pgPoolOf } from "../../app/db/client.server.ts";
import { signedWebhookRequest, webhookDoor } from "../support/webhooks.ts";
import { inventoryLevelPayload } from "../../dev/fixtures/shopify-payloads.ts";

let t: TestDatabase;
const shop = "group-commit.myshopify.com";

beforeAll(async () => {
  t = await createTestDatabase("inbox_writer");
});
afterAll(() => t.drop());
beforeEach(async () => {
  await t.db.webhookInbox.deleteMany({});
});

const delivery = (webhookId: string, payload = `{"id":"${webhookId}"}`, s = shop): Delivery => ({
  shop: s,
  topic: "orders/create",
  webhookId,
  eventId: `e-${webhookId}`,
  apiVersion: "2026-10",
  triggeredAt: new Date("2026-11-30T10:00:00Z"),
  payload,
});

describe("the inbox writer", () => {
  it("writes the deliveries that arrive during a write together, at most 100 to an INSERT", async () => {
    const batches: number[] = [];
    const writer = new InboxWriter(t.db, undefined, (n) => batches.push(n));
    const results = await Promise.all(Array.from({ length: 250 }, (_, i) => writer.store(delivery(`w-${i}`))));
    expect(results.every((r) => r === true)).toBe(true);
    // The first finds nothing in flight and goes at once; the rest queued behind it.
    expect(batches).toEqual([1, 100, 100, 49]);
    const rows = await t.db.webhookInbox.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => r.webhookId)).toEqual(Array.from({ length: 250 }, (_, i) => `w-${i}`));
    expect(rows[7]).toMatchObject({
      shop,
      topic: "orders/create",
      eventId: "e-w-7",
      apiVersion: "2026-10",
      payload: '{"id":"w-7"}',
      status: "pending",
    });
    expect(rows[7]!.triggeredAt).toEqual(new Date("2026-11-30T10:00:00Z"));
  });

  it("keeps a large payload out of a batch of small ones", async () => {
    const batches: number[] = [];
    const writer = new InboxWriter(t.db, { maxDeliveries: 100, maxBytes: 1000 }, (n) => batches.push(n));
    const big = delivery("big", `{"note":"${"x".repeat(5000)}"}`);
    await Promise.all([writer.store(delivery("first")), writer.store(delivery("a")), writer.store(big), writer.store(delivery("b"))]);
    expect(batches).toEqual([1, 1, 1, 1]);
    expect((await t.db.webhookInbox.findFirstOrThrow({ where: { webhookId: "big" } })).payload).toBe(big.payload);
  });

  it("stores each webhook id of a shop once: duplicates in a batch, across batches and already stored", async () => {
    const writer = new InboxWriter(t.db);
    expect(await writer.store(delivery("old"))).toBe(true);
    const ids = ["old", "x", "y", "x", "z", "y", "x", "old", "z"];
    const results = await Promise.all(ids.map((id) => writer.store(delivery(id))));
    expect(results).toEqual([false, true, true, false, true, false, false, false, false]);
    // The same id from another shop is another delivery.
    expect(await writer.store(delivery("x", undefined, "other.myshopify.com"))).toBe(true);
    const rows = await t.db.webhookInbox.findMany({ select: { shop: true, webhookId: true } });
    expect(rows).toHaveLength(5);
  });

  it("two writers (two web processes) racing with the same ids store each once and say so once", async () => {
    const a = new InboxWriter(t.db);
    const b = new InboxWriter(t.db);
    const ids = Array.from({ length: 120 }, (_, i) => `r-${i % 60}`);
    const results = await Promise.all([
      ...ids.map((id) => a.store(delivery(id)).then((stored) => ({ id, stored }))),
      ...ids.reverse().map((id) => b.store(delivery(id)).then((stored) => ({ id, stored }))),
    ]);
    const newCount = new Map<string, number>();
    for (const r of results) if (r.stored) newCount.set(r.id, (newCount.get(r.id) ?? 0) + 1);
    expect(newCount.size).toBe(60);
    expect([...newCount.values()].every((n) => n === 1)).toBe(true);
    expect(await t.db.webhookInbox.count()).toBe(60);
  });

  it("through the door: 64 concurrent signed deliveries and their retries are all answered 200 and stored once", async () => {
    const door = webhookDoor(t.db);
    const requests = Array.from({ length: 96 }, (_, i) =>
      signedWebhookRequest({
        shop,
        topic: "inventory_levels/update",
        payload: inventoryLevelPayload(1, 2, i, "2026-11-20T10:00:00-05:00"),
        webhookId: `d-${i % 64}`,
      }),
    );
    const statuses = await Promise.all(requests.map((r) => door(r).then((res) => res.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(await t.db.webhookInbox.count()).toBe(64);
  });

  it("stores a batch as Prisma's create stores one delivery: the body byte for byte, times in UTC whatever the process's zone", async () => {
    // The batch goes to the pg pool or the libsql client, not through Prisma.
    expect(pgPoolOf(t.db) !== null).toBe(t.provider === "postgres");
    expect(libsqlClientOf(t.db) !== null).toBe(t.provider === "sqlite");
    const payload = `{"note":"caf\u00e9 ✓ \\"quoted\\" 💥 $1 ? '--","crlf":"a\r\nb"}`;
    const zone = process.env.TZ;
    process.env.TZ = "America/New_York"; // UTC-5: a time sent in the local zone would be 5 h off
    try {
      const before = new Date();
      expect(await storeBatch(t.db, [delivery("batched", payload), delivery("batched", payload)])).toEqual([true, false]);
      expect(await storeDelivery(t.db, delivery("created", payload))).toBe(true);
      const after = new Date();
      const row = (webhookId: string) => t.db.webhookInbox.findFirstOrThrow({ where: { webhookId } });
      const batched = await row("batched");
      const created = await row("created");
      const columns = (r: typeof batched) => ({ ...r, id: 0, webhookId: "", eventId: "", receivedAt: 0, nextAttemptAt: 0 });
      expect(columns(batched)).toEqual(columns(created));
      expect(batched.payload).toBe(payload);
      expect(batched.triggeredAt).toEqual(new Date("2026-11-30T10:00:00Z"));
      for (const r of [batched, created]) {
        expect(r.receivedAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
        expect(r.receivedAt.getTime()).toBeLessThanOrEqual(after.getTime());
        expect(r.nextAttemptAt).toEqual(r.receivedAt);
      }
      if (t.provider === "sqlite") {
        // SQLite keeps times as text and the worker compares them as text: the same form as Prisma's.
        const texts = await t.db.$queryRawUnsafe<{ triggered: string; received: string }[]>(
          `SELECT "triggeredAt" || '' AS "triggered", "receivedAt" || '' AS "received" FROM "WebhookInbox" ORDER BY "webhookId"`,
        );
        expect(texts[0]!.triggered).toBe(texts[1]!.triggered);
        expect(texts[0]!.received.replace(/\d/g, "0")).toBe(texts[1]!.received.replace(/\d/g, "0"));
      }
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it("still stores through a client whose pool was ended by $disconnect (Prisma reconnects with its own)", async () => {
    const other = createDb(t.url);
    await other.webhookInbox.count();
    await other.$disconnect();
    expect(pgPoolOf(other)).toBeNull();
    expect(await storeBatch(other, [delivery("after-disconnect")])).toEqual([true]);
    expect(await storeBatch(other, [delivery("after-disconnect")])).toEqual([false]);
    await other.$disconnect();
    expect(await t.db.webhookInbox.count({ where: { webhookId: "after-disconnect" } })).toBe(1);
  });
});
