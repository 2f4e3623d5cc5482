// Done deliveries are deleted a week after they were applied (app/inbox/inbox-retention.server.ts):
// through the real door and worker, only done rows past the retention go, in batches; rows the
// merchant must see (failed, dead, rejected) and not yet applied stay; a repeat of a deleted
// delivery is taken in again, of a kept one is still a duplicate.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { signedWebhookRequest, webhookDoor } from "../support/webhooks.ts";
import { deleteOldDoneDeliveries, DONE_DELIVERY_RETENTION_MS } from "../../app/inbox/inbox-retention.server.ts";
import { drainInbox } from "../../app/worker/worker.server.ts";
import { orderPayload } from "../../dev/fixtures/shopify-payloads.ts";

let t: TestDatabase;
let door: (r: Request) => Promise<Response>;
const A = "retention-a.myshopify.com";
const B = "retention-b.myshopify.com";
const DAY = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  t = await createTestDatabase("inbox_retention");
  door = webhookDoor(t.db);
});
afterAll(() => t.drop());

async function send(shop: string, webhookId: string, orderId: number) {
  const payload = orderPayload({
    id: orderId,
    createdAt: "2026-11-20T10:00:00Z",
    lines: [{ id: orderId * 10, variantId: 88_201, quantity: 1 }],
  });
  const r = await door(signedWebhookRequest({ shop, topic: "orders/create", payload, webhookId }));
  expect(r.status).toBe(200);
}

/** As if the row had been received and applied `days` ago. */
const age = (webhookId: string, days: number, status?: string) => {
  const at = new Date(Date.now() - days * DAY);
  return t.db.webhookInbox.updateMany({
    where: { webhookId },
    data: { nextAttemptAt: at, processedAt: at, receivedAt: at, ...(status ? { status } : {}) },
  });
};
const ids = async () =>
  (await t.db.webhookInbox.findMany({ select: { webhookId: true }, orderBy: { webhookId: "asc" } })).map((r) => r.webhookId);

describe("done deliveries' retention", () => {
  it("deletes done rows applied before the retention, a batch at a time, and nothing else", async () => {
    let order = 9_100_000;
    for (const id of ["old-1", "old-2", "old-b", "recent", "failed-old", "dead-old", "rejected-old"])
      await send(id === "old-b" ? B : A, id, ++order);
    await drainInbox(t.db);
    expect(await t.db.webhookInbox.count({ where: { status: "done" } })).toBe(7);
    await send(A, "pending-new", ++order); // stored, not applied yet
    await age("old-1", 8);
    await age("old-2", 30);
    await age("old-b", 8); // another shop's: the retention is the same for all
    await age("recent", DONE_DELIVERY_RETENTION_MS / DAY - 1);
    await age("failed-old", 30, "failed");
    await age("dead-old", 30, "dead");
    await age("rejected-old", 30, "rejected");

    expect(await deleteOldDoneDeliveries(t.db, new Date(), 2)).toBe(2);
    expect(await deleteOldDoneDeliveries(t.db, new Date(), 2)).toBe(1);
    expect(await deleteOldDoneDeliveries(t.db, new Date(), 2)).toBe(0);
    expect(await ids()).toEqual(["dead-old", "failed-old", "pending-new", "recent", "rejected-old"]);
  });

  it("a repeat of a deleted delivery is taken in again; of a kept one, it is still a duplicate", async () => {
    const before = await t.db.webhookInbox.count();
    await send(A, "recent", 9_100_004);
    expect(await t.db.webhookInbox.count()).toBe(before);
    await send(A, "old-1", 9_100_001);
    expect(await t.db.webhookInbox.count()).toBe(before + 1);
    expect((await t.db.webhookInbox.findFirst({ where: { webhookId: "old-1" } }))?.status).toBe("pending");
  });
});
