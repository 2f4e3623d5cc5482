// `npm run worker` must outlive a database outage and resume by itself.
// PostgreSQL: the worker process reaches the shared server through a TCP proxy that the
// test cuts and restores (the server keeps running for everyone else). SQLite: another
// connection holds the file's write lock past the worker's busy timeout.
import { createClient } from "@libsql/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/db.ts";
import { signedWebhookRequest, webhookDoor } from "../support/webhooks.ts";
import { orderPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { SQLITE_BUSY_TIMEOUT_MS } from "../../app/db/client.server.ts";
import { TcpProxy } from "./support/tcp-proxy.ts";
import { inboxCounts, startWorkerProcess, waitUntil, type WorkerProcess } from "./support/worker-process.ts";
import { storeOrderEvents } from "./support/inbox-events.ts";

const SHOP = "outage.myshopify.com";
const OUTAGE_LOGGED = /\[worker\] inbox: database unavailable/;
/**
 * The workers' lease (BACKORDER_LEASE_MS): events a cut rolled back are claimed again once it
 * runs out, so the test waits for it; the default (a minute) would only make it longer.
 */
const LEASE_MS = 5_000;
/** Above the sum of the steps' own guards, so a slow step fails with its name, not a bare timeout. */
const OUTAGE_TEST_MS = 300_000;
const RESUMED_LOGGED = /\[worker\] inbox: database back/;

let t: TestDatabase;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  t = await createTestDatabase("outage");
});
afterEach(() => worker?.kill());
afterAll(() => t?.drop());

const allDone = async () => {
  const c = await inboxCounts(t.db);
  return Object.keys(c).every((s) => s === "done");
};

describe.runIf(testProvider() === "postgres")("worker process and a PostgreSQL outage", () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    const server = new URL(t.url);
    proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 5432) });
  });
  afterAll(() => proxy?.close());

  it(
    "keeps running through the outage and applies every event once the database is back",
    async () => {
      worker = startWorkerProcess(proxy.urlFor(t.url), { BACKORDER_LEASE_MS: String(LEASE_MS) });
      await storeOrderEvents(t.db, SHOP, 40);
      await waitUntil(allDone, "the first events are done");

      // The database goes away while the worker waits for work.
      proxy.cut();
      const door = webhookDoor(t.db);
      for (let i = 0; i < 5; i++) {
        const payload = orderPayload({
          id: 930_000 + i,
          createdAt: "2026-11-02T10:00:00Z",
          lines: [{ id: 931_000 + i, variantId: 40_001, quantity: 1 }],
        });
        const r = await door(signedWebhookRequest({ shop: SHOP, topic: "orders/create", payload }));
        expect(r.status).toBe(200); // the web process still reaches the database; only the worker's link is cut
      }
      await storeOrderEvents(t.db, SHOP, 40);
      await worker.waitForOutput(OUTAGE_LOGGED);
      // It keeps trying (with backoff) rather than giving up.
      const triedBefore = proxy.refused;
      await waitUntil(async () => proxy.refused > triedBefore, "the worker tries the database again");
      expect(worker.alive()).toBe(true);

      const mark = worker.output().length;
      proxy.restore();
      await worker.waitForOutput(RESUMED_LOGGED, { from: mark });
      await waitUntil(allDone, "every event is done after the outage");
      expect(worker.alive()).toBe(true);
      // Logged once per outage, not once per attempt.
      expect(worker.output().match(new RegExp(OUTAGE_LOGGED, "g"))).toHaveLength(1);
      expect(await t.db.webhookInbox.count()).toBe(85);
    },
    OUTAGE_TEST_MS,
  );

  it(
    "survives a cut in the middle of a drain: the interrupted events are applied after the outage",
    async () => {
      worker = startWorkerProcess(proxy.urlFor(t.url), { BACKORDER_LEASE_MS: String(LEASE_MS) });
      const before = await t.db.webhookInbox.count();
      await storeOrderEvents(t.db, SHOP, 1500);
      await waitUntil(async () => (await t.db.webhookInbox.count({ where: { status: "done" } })) > before, "the drain has started");
      const mark = worker.output().length;
      proxy.cut();
      await worker.waitForOutput(OUTAGE_LOGGED, { from: mark });
      expect(await t.db.webhookInbox.count({ where: { status: { not: "done" } } })).toBeGreaterThan(0);
      proxy.restore();
      // Events whose transaction the cut rolled back keep their lease until it runs out (LEASE_MS), then are taken again.
      await waitUntil(allDone, "every event is done after the outage", 240_000);
      expect(worker.alive()).toBe(true);
    },
    OUTAGE_TEST_MS,
  );
});

describe.runIf(testProvider() === "sqlite")("worker process and a SQLite file locked by another process", () => {
  it("outlasts a write lock held past its busy timeout and applies everything once it is released", async () => {
    await storeOrderEvents(t.db, SHOP, 30);
    // Another connection takes the write lock and keeps it.
    const holder = createClient({ url: t.url });
    const lock = await holder.transaction("write");
    await lock.execute("INSERT INTO ShopSettings (shop) VALUES ('lock-holder.myshopify.com')");
    try {
      worker = startWorkerProcess(t.url);
      // Its claim waits SQLITE_BUSY_TIMEOUT_MS for the lock, then fails with SQLITE_BUSY.
      await worker.waitForOutput(OUTAGE_LOGGED, { guardMs: SQLITE_BUSY_TIMEOUT_MS + 60_000 });
      expect(worker.alive()).toBe(true);
    } finally {
      await lock.rollback();
      holder.close();
    }
    await worker.waitForOutput(RESUMED_LOGGED, { guardMs: SQLITE_BUSY_TIMEOUT_MS + 60_000 });
    await waitUntil(allDone, "every event is done after the lock is released");
    expect(worker.alive()).toBe(true);
  }, 180_000);
});
