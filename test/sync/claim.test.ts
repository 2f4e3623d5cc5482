// Claiming sync tasks set-wise (app/sync/claim.server.ts, decision 0025): of runners claiming
// at the same time, each task goes to exactly one, whatever its kind (a Flow trigger or an
// email sent twice is not harmless); a lease that ran out (a runner that died) is claimed
// again, a live one is not; a paused shop gives only its undo; finishing records only what
// is still ours and leaves a task re-enqueued meanwhile to run again.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../app/db/client.server.ts";
import { claimTasks, finishTasks, type ClaimSpec, type ClaimedTask } from "../../app/sync/claim.server.ts";
import { SYNC_KIND, type SyncKind } from "../../app/sync/task-kind.ts";
import { SYNC_TASK_STATUS } from "../../app/sync/task-status.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

const SHOP = "claim-race.myshopify.com";
const NOW = new Date("2026-12-01T08:00:00.000Z");
const LEASE_MS = 60_000;
const SHORT_MS = 5_000;
// Every kind there is, and one this version does not know (a newer runner's): the claim is generic.
const KINDS = [...Object.values(SYNC_KIND), "some-new-kind"] as SyncKind[];

let t: TestDatabase;
/** Other clients on the same database: separate connections, as separate runner processes have. */
let others: Db[];

const spec = (over: Partial<ClaimSpec> = {}): ClaimSpec => ({
  shop: SHOP,
  now: NOW,
  take: 250,
  leaseMs: (kind) => (kind === SYNC_KIND.stopSelling ? SHORT_MS : LEASE_MS),
  leaseKinds: [SYNC_KIND.stopSelling],
  ...over,
});

async function seed(perKind: number, shop = SHOP) {
  await t.db.syncTask.createMany({
    data: KINDS.flatMap((kind) =>
      Array.from({ length: perKind }, (_, i) => ({ shop, kind, targetId: `${kind}-${i}`, dueAt: new Date(NOW.getTime() - 1000 + i) })),
    ),
  });
}

beforeAll(async () => {
  t = await createTestDatabase("sync_claim");
  others = [createDb(t.url), createDb(t.url), createDb(t.url)];
});
afterAll(async () => {
  await Promise.all(others.map((db) => db.$disconnect()));
  await t.drop();
});
beforeEach(async () => {
  await t.db.syncTask.deleteMany();
  await t.db.shopSettings.deleteMany();
});

describe("claiming sync tasks set-wise", () => {
  it("gives each due task to exactly one of four runners claiming at once, every kind alike", async () => {
    await seed(40); // 480 tasks
    const total = await t.db.syncTask.count();
    const runners = [t.db, ...others];
    const claims: ClaimedTask[][] = runners.map(() => []);
    // Small batches, many rounds, all runners at once: the claims overlap in time.
    for (let round = 0; round < 40; round++) {
      const got = await Promise.all(runners.map((db) => claimTasks(db, spec({ take: 7 }))));
      got.forEach((g, i) => claims[i]!.push(...g));
      if (got.every((g) => g.length === 0)) break;
    }
    const ids = claims.flat().map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length); // nothing claimed twice
    expect(ids.length).toBe(total); // and nothing left behind
    const rows = await t.db.syncTask.findMany();
    expect(rows.every((r) => r.status === SYNC_TASK_STATUS.running && r.attempts === 1)).toBe(true);
    // Each claim says what it set: the kind's lease, the attempt it counts.
    for (const c of claims.flat()) {
      const row = rows.find((r) => r.id === c.id)!;
      expect(c).toMatchObject({ kind: row.kind, targetId: row.targetId, attempts: 1 });
      expect(row.lockedUntil!.getTime()).toBe(c.lease.getTime());
      expect(c.lease.getTime() - NOW.getTime()).toBe(row.kind === SYNC_KIND.stopSelling ? SHORT_MS : LEASE_MS);
    }
    expect(new Set(claims.flat().map((c) => c.kind))).toEqual(new Set(KINDS));
  });

  it("claims earliest due first, up to `take`, and one kind alone when asked", async () => {
    await seed(3);
    const first = await claimTasks(t.db, spec({ take: 5 }));
    const due = await t.db.syncTask.findMany({ orderBy: [{ dueAt: "asc" }, { id: "asc" }], take: 5 });
    expect(first.map((c) => c.id).sort()).toEqual(due.map((d) => d.id).sort());
    const flows = await claimTasks(t.db, spec({ kind: SYNC_KIND.flow }));
    expect(flows.map((c) => c.targetId).sort()).toEqual(["flow-0", "flow-1", "flow-2"].filter((x) => !first.some((c) => c.targetId === x)));
  });

  it("claims no more than `take`, one at a time down to the last", async () => {
    await seed(1); // one task of each kind
    const total = await t.db.syncTask.count();
    for (let left = total; left > 0; left--) {
      expect(await claimTasks(t.db, spec({ take: 1 }))).toHaveLength(1);
      expect(await t.db.syncTask.count({ where: { status: SYNC_TASK_STATUS.running } })).toBe(total - left + 1);
    }
    expect(await claimTasks(t.db, spec({ take: 1 }))).toHaveLength(0);
  });

  it("leaves a live lease alone and claims again one that ran out (a runner that died)", async () => {
    await seed(1);
    const first = await claimTasks(t.db, spec());
    expect(first).toHaveLength(KINDS.length);
    // Before the leases run out: nothing.
    expect(await claimTasks(others[0]!, spec({ now: new Date(NOW.getTime() + SHORT_MS) }))).toEqual([]);
    // The stop-selling lease (short) has run out, the others not yet.
    const later = new Date(NOW.getTime() + SHORT_MS + 1);
    const again = await claimTasks(others[0]!, spec({ now: later }));
    expect(again.map((c) => c.kind)).toEqual([SYNC_KIND.stopSelling]);
    expect(again[0]).toMatchObject({ attempts: 2, lease: new Date(later.getTime() + SHORT_MS) });
    // The dead runner's finish finds the task no longer its own: nothing recorded.
    const stale = first.find((c) => c.kind === SYNC_KIND.stopSelling)!;
    expect(await finishTasks(t.db, [{ task: stale, finish: { status: SYNC_TASK_STATUS.done } }])).toEqual(new Set());
    expect(await t.db.syncTask.findUnique({ where: { id: stale.id } })).toMatchObject({ status: SYNC_TASK_STATUS.running, attempts: 2 });
    // The new holder's finish does.
    expect(await finishTasks(others[0]!, [{ task: again[0]!, finish: { status: SYNC_TASK_STATUS.done } }])).toEqual(new Set([stale.id]));
    // All of them, once every lease has run out.
    const all = await claimTasks(t.db, spec({ now: new Date(NOW.getTime() + LEASE_MS + 1) }));
    expect(all).toHaveLength(KINDS.length - 1);
  });

  it("of a paused shop claims only the undo, and leaves other shops' tasks alone", async () => {
    await seed(1);
    await seed(1, "other.myshopify.com");
    await t.db.shopSettings.create({ data: { shop: SHOP, pausedAt: NOW } });
    expect((await claimTasks(t.db, spec())).map((c) => c.kind)).toEqual([SYNC_KIND.undo]);
    expect(await claimTasks(t.db, spec({ kind: SYNC_KIND.stopSelling }))).toEqual([]);
    expect(await t.db.syncTask.count({ where: { shop: "other.myshopify.com", status: SYNC_TASK_STATUS.pending } })).toBe(KINDS.length);
  });

  it("finishes set-wise: done, retried with backoff, given up, and a task re-enqueued meanwhile runs again", async () => {
    await seed(2);
    const claimed = await claimTasks(t.db, spec({ kind: SYNC_KIND.order }));
    const flows = await claimTasks(t.db, spec({ kind: SYNC_KIND.flow }));
    expect(claimed).toHaveLength(2);
    const [a, b] = claimed as [ClaimedTask, ClaimedTask];
    // b is enqueued again while it is pushed (as enqueueTasks does: pending, lease kept).
    await t.db.syncTask.update({ where: { id: b.id }, data: { status: SYNC_TASK_STATUS.pending, attempts: 0 } });
    const retryAt = new Date(NOW.getTime() + 10_000);
    const recorded = await finishTasks(t.db, [
      { task: a, finish: { status: SYNC_TASK_STATUS.pending, lastError: "attempt 1: timeout", dueAt: retryAt } },
      { task: b, finish: { status: SYNC_TASK_STATUS.pending, lastError: "attempt 1: timeout", dueAt: retryAt } },
      { task: flows[0]!, finish: { status: SYNC_TASK_STATUS.done } },
      { task: flows[1]!, finish: { status: SYNC_TASK_STATUS.failed, lastError: "no such order" } },
    ]);
    expect(recorded).toEqual(new Set([a.id, flows[0]!.id, flows[1]!.id]));
    const row = (id: number) => t.db.syncTask.findUniqueOrThrow({ where: { id } });
    expect(await row(a.id)).toMatchObject({
      status: SYNC_TASK_STATUS.pending,
      lockedUntil: null,
      lastError: "attempt 1: timeout",
      dueAt: retryAt,
    });
    expect(await row(b.id)).toMatchObject({ status: SYNC_TASK_STATUS.pending, lockedUntil: null, lastError: null, attempts: 0 });
    expect(await row(flows[0]!.id)).toMatchObject({ status: SYNC_TASK_STATUS.done, lockedUntil: null });
    expect(await row(flows[1]!.id)).toMatchObject({ status: SYNC_TASK_STATUS.failed, lastError: "no such order" });
    // b is due again at once (its own dueAt), not after a lease.
    expect((await claimTasks(t.db, spec({ kind: SYNC_KIND.order }))).map((c) => c.id)).toEqual([b.id]);
  });
});
