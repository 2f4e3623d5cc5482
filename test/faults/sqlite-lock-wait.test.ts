// On SQLite the web process and the worker write the same file, and libsql's
// calls are synchronous. A write that waited for the other's lock inside SQLite stalled the
// whole thread: under 64 webhook senders, acknowledgements took up to 30 s. The wait must leave
// the thread free: here another connection holds the write lock and only lets go from a timer,
// which can run only if the waiting write does not hold the event loop.
import { createClient, type Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/db.ts";

let t: TestDatabase;
let holder: Client;

beforeAll(async () => {
  t = await createTestDatabase("lockwait");
  if (t.provider === "sqlite") holder = createClient({ url: t.url });
});
afterAll(async () => {
  holder?.close();
  await t.drop();
});

describe.skipIf(testProvider() !== "sqlite")("a write waiting for SQLite's write lock", () => {
  it("leaves the event loop free while it waits, then goes through", async () => {
    const lock = await holder.transaction("write"); // BEGIN IMMEDIATE: the write lock, held
    let released = false;
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    setTimeout(() => {
      void lock.commit().then(() => (released = true));
    }, 300);
    const stored = await t.db.webhookInbox.create({
      data: { shop: "lock-wait.myshopify.com", topic: "orders/create", webhookId: "w-1", payload: "{}" },
      select: { id: true },
    });
    clearInterval(ticker);
    expect(stored.id).toBeGreaterThan(0);
    // The holder's COMMIT ran on this thread's event loop while the write waited.
    expect(released).toBe(true);
    expect(ticks).toBeGreaterThan(0);
    expect(await t.db.webhookInbox.count()).toBe(1);
  });

  it("still fails with SQLITE_BUSY once the lock is held past the busy timeout (the worker's loops back off)", async () => {
    // Covered at full length by test/faults/database-outage.test.ts (a worker process through a
    // 15 s+ lock); here only that the error is SQLite's own, so callers can recognise it.
    const other = createClient({ url: t.url, timeout: 0 });
    const lock = await holder.transaction("write");
    try {
      await expect(
        other.execute("INSERT INTO \"WebhookInbox\" (shop, topic, \"webhookId\", payload) VALUES ('x', 'y', 'z', '')"),
      ).rejects.toMatchObject({
        code: expect.stringMatching(/^SQLITE_BUSY/),
      });
    } finally {
      await lock.rollback();
      other.close();
    }
  });
});
