// A worker told to stop (SIGTERM, as a deploy or `docker stop` sends it)
// stops taking work, lets the chunk in hand commit or roll back, puts the events it claimed
// but did not start back in line at once, and exits 0; the next worker finishes the rest.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { inboxCounts, startWorkerProcess, waitUntil, type WorkerProcess } from "./support/worker-process.ts";
import { storeOrderEvents } from "./support/inbox-events.ts";

const SHOPS = ["stop-a.myshopify.com", "stop-b.myshopify.com", "stop-c.myshopify.com"];
const PER_SHOP = 500;
/** Not a timing assertion: only how long we wait before calling the exit lost. */
const EXIT_GUARD_MS = 30_000;

let t: TestDatabase;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  t = await createTestDatabase("shutdown");
});
afterEach(() => workers.forEach((w) => w.kill()));
afterAll(() => t?.drop());

function exitOf(w: WorkerProcess) {
  return Promise.race([
    w.exited,
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`worker did not exit within ${EXIT_GUARD_MS / 1000} s:\n${w.output().slice(-4000)}`)),
        EXIT_GUARD_MS,
      ),
    ),
  ]);
}

describe("worker process shutdown under load", () => {
  it("SIGTERM mid-drain: exits 0, leaves nothing leased, and the next worker applies every event", async () => {
    for (const shop of SHOPS) await storeOrderEvents(t.db, shop, PER_SHOP);
    const total = SHOPS.length * PER_SHOP;

    const first = startWorkerProcess(t.url);
    workers.push(first);
    await waitUntil(async () => (await t.db.webhookInbox.count({ where: { status: "done" } })) > 0, "the first worker is draining");
    first.child.kill("SIGTERM"); // to tsx's CLI, which passes it on, as under `npm run worker`

    expect(await exitOf(first), first.output()).toEqual({ code: 0, signal: null });
    expect(first.output()).toMatch(/\[worker\] SIGTERM: finishing the work in hand/);
    // It stopped taking work: most of the inbox is still waiting, none of it half-claimed.
    const afterStop = await inboxCounts(t.db);
    expect(afterStop.pending ?? 0).toBeGreaterThan(0);
    expect(afterStop.processing ?? 0).toBe(0);
    expect(await t.db.webhookInbox.count({ where: { lockedUntil: { gt: new Date() } } })).toBe(0);

    const second = startWorkerProcess(t.url);
    workers.push(second);
    await waitUntil(
      async () => (await t.db.webhookInbox.count({ where: { status: "done" } })) === total,
      "the second worker has applied everything",
    );
    second.child.kill("SIGTERM");
    expect(await exitOf(second), second.output()).toEqual({ code: 0, signal: null });
    expect(await inboxCounts(t.db)).toEqual({ done: total });
    // Every order became its backorder snapshot exactly once.
    expect(await t.db.orderSnapshot.count()).toBe(total);
  }, 300_000);
});
