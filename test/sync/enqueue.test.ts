// Enqueuing sync tasks (app/sync/tasks.server.ts, decision 0035): one statement per chunk of
// targets decides the rule on the row as it is. A target already pending sooner keeps its time
// (a debounce with a maximum wait); any other row (pending later, running, done, failed) becomes
// pending at the new time with a fresh failure count; a missing one is created; enqueueOnce
// creates the missing ones and leaves every other row as it is.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../app/db/client.server.ts";
import { SYNC_KIND } from "../../app/sync/task-kind.ts";
import { SYNC_TASK_STATUS } from "../../app/sync/task-status.ts";
import { enqueueOnce, enqueueTask, enqueueTasks } from "../../app/sync/tasks.server.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

const SHOP = "enqueue.myshopify.com";
const NOW = new Date("2026-12-01T08:00:00.000Z");
const at = (ms: number) => new Date(NOW.getTime() + ms);
const LEASE = at(60_000);

let t: TestDatabase;
let other: Db;

beforeAll(async () => {
  t = await createTestDatabase("sync_enqueue");
  other = createDb(t.url);
});
afterAll(async () => {
  await other.$disconnect();
  await t.drop();
});
beforeEach(async () => {
  await t.db.syncTask.deleteMany();
});

/** One existing task per case, all of kind `order`, and one of another kind with the same target. */
async function seedCases() {
  const row = (targetId: string, data: object) => ({
    shop: SHOP,
    kind: SYNC_KIND.order,
    targetId,
    attempts: 3,
    lastError: "boom",
    ...data,
  });
  await t.db.syncTask.createMany({
    data: [
      row("pending-sooner", { status: SYNC_TASK_STATUS.pending, dueAt: at(1_000) }),
      row("pending-later", { status: SYNC_TASK_STATUS.pending, dueAt: at(9_000) }),
      row("running", { status: SYNC_TASK_STATUS.running, dueAt: at(-5_000), lockedUntil: LEASE }),
      row("done", { status: SYNC_TASK_STATUS.done, dueAt: at(-5_000), attempts: 1, lastError: null }),
      row("failed", { status: SYNC_TASK_STATUS.failed, dueAt: at(-5_000) }),
      { shop: SHOP, kind: SYNC_KIND.variant, targetId: "done", status: SYNC_TASK_STATUS.done, dueAt: at(-5_000) },
    ],
  });
}

const rowsOf = async (kind: string) =>
  new Map((await t.db.syncTask.findMany({ where: { shop: SHOP, kind } })).map((r) => [r.targetId, r] as const));

describe("enqueueTasks", () => {
  it("keeps an earlier pending time, resets every other row to pending at the new time, creates the missing", async () => {
    await seedCases();
    const before = await rowsOf(SYNC_KIND.order);
    const ids = ["pending-sooner", "pending-later", "running", "done", "failed", "new", "new"];
    expect(await enqueueTasks(t.db, SHOP, SYNC_KIND.order, ids, at(5_000))).toBe(6);
    const rows = await rowsOf(SYNC_KIND.order);
    expect(rows.size).toBe(6);
    const fresh = { status: SYNC_TASK_STATUS.pending, attempts: 0, lastError: null };
    expect(rows.get("pending-sooner")).toMatchObject({ ...fresh, dueAt: at(1_000) });
    expect(rows.get("pending-later")).toMatchObject({ ...fresh, dueAt: at(5_000) });
    // A row being pushed keeps its lease: the runner's finish then leaves it to run again.
    expect(rows.get("running")).toMatchObject({ ...fresh, dueAt: at(5_000), lockedUntil: LEASE });
    expect(rows.get("done")).toMatchObject({ ...fresh, dueAt: at(5_000), lockedUntil: null });
    expect(rows.get("failed")).toMatchObject({ ...fresh, dueAt: at(5_000) });
    expect(rows.get("new")).toMatchObject({ ...fresh, dueAt: at(5_000), lockedUntil: null, shop: SHOP });
    // The columns Prisma fills client-side are filled, comparable with Prisma's own writes.
    const created = rows.get("new")!;
    expect(created.createdAt.getTime()).toBeGreaterThan(NOW.getTime() - 1); // the wall clock, after NOW
    expect(created.updatedAt.getTime()).toBe(created.createdAt.getTime());
    expect(rows.get("done")!.updatedAt.getTime()).toBeGreaterThan(before.get("done")!.updatedAt.getTime() - 1);
    expect(rows.get("done")!.createdAt).toEqual(before.get("done")!.createdAt);
    // Only the kind asked for: the variant task of the same target is untouched.
    expect((await rowsOf(SYNC_KIND.variant)).get("done")).toMatchObject({ status: SYNC_TASK_STATUS.done });
    // The new row is found by a time comparison as claims make it (dueAt compared in SQL).
    const due = await t.db.syncTask.findMany({ where: { shop: SHOP, kind: SYNC_KIND.order, dueAt: { lte: at(1_000) } } });
    expect(due.map((r) => r.targetId)).toEqual(["pending-sooner"]);
  });

  it("enqueueTask follows the same rule for one target", async () => {
    await seedCases();
    await enqueueTask(t.db, SHOP, SYNC_KIND.order, "pending-sooner", at(5_000));
    await enqueueTask(t.db, SHOP, SYNC_KIND.order, "done", at(5_000));
    const rows = await rowsOf(SYNC_KIND.order);
    expect(rows.get("pending-sooner")).toMatchObject({ status: SYNC_TASK_STATUS.pending, dueAt: at(1_000), attempts: 0 });
    expect(rows.get("done")).toMatchObject({ status: SYNC_TASK_STATUS.pending, dueAt: at(5_000), attempts: 0 });
  });

  it("takes 1,200 targets in one call (more than one statement's worth of parameters on SQLite)", async () => {
    const ids = Array.from({ length: 1_200 }, (_, i) => `order-${i}`);
    await t.db.syncTask.createMany({
      data: ids
        .filter((_, i) => i % 2 === 0)
        .map((targetId) => ({ shop: SHOP, kind: SYNC_KIND.order, targetId, status: SYNC_TASK_STATUS.done })),
    });
    expect(await enqueueTasks(t.db, SHOP, SYNC_KIND.order, ids, at(2_000))).toBe(1_200);
    const rows = await t.db.syncTask.findMany({ where: { shop: SHOP, kind: SYNC_KIND.order } });
    expect(rows).toHaveLength(1_200);
    expect(rows.every((r) => r.status === SYNC_TASK_STATUS.pending && r.dueAt.getTime() === at(2_000).getTime())).toBe(true);
  });

  it("two transactions enqueuing the same targets at once leave one row per target", async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `order-${i}`);
    // Each in its own transaction on its own connection, overlapping: on PostgreSQL the second
    // insert meets the first's uncommitted rows and updates them once it commits.
    await Promise.all(
      [t.db, other].map((db, i) =>
        db.$transaction(async (tx) => {
          await enqueueTasks(tx, SHOP, SYNC_KIND.order, i === 0 ? ids : [...ids].reverse(), at(3_000 + i));
        }),
      ),
    );
    const rows = await t.db.syncTask.findMany({ where: { shop: SHOP, kind: SYNC_KIND.order } });
    expect(rows).toHaveLength(300);
    expect(rows.every((r) => r.status === SYNC_TASK_STATUS.pending && r.dueAt.getTime() === at(3_000).getTime())).toBe(true);
  });
});

describe("enqueueOnce", () => {
  it("creates only the missing tasks and leaves the others as they are, done ones included", async () => {
    await seedCases();
    const before = await rowsOf(SYNC_KIND.order);
    expect(await enqueueOnce(t.db, SHOP, SYNC_KIND.order, ["done", "failed", "pending-later", "new", "new"], at(5_000))).toBe(1);
    const rows = await rowsOf(SYNC_KIND.order);
    for (const id of ["done", "failed", "pending-later"]) expect(rows.get(id)).toEqual(before.get(id));
    expect(rows.get("new")).toMatchObject({ status: SYNC_TASK_STATUS.pending, attempts: 0, dueAt: at(5_000) });
    expect(await enqueueOnce(t.db, SHOP, SYNC_KIND.order, ["new"], at(9_000))).toBe(0);
  });
});
