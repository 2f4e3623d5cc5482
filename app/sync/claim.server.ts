// Claiming and finishing SyncTask rows set-wise: a batch is claimed in one statement and
// finished in one statement per outcome, whatever its kinds (decision 0025). One statement
// per row waited, on SQLite, for the write lock (and in a worker process for the inbox
// loop's transaction on the shared client) once per row.
//
// The claim is exact: of two runners, one gets a row. PostgreSQL: the rows are chosen with
// FOR UPDATE SKIP LOCKED (a row another runner is claiming is skipped, not waited for, and a
// row it claimed meanwhile fails the re-checked condition); SQLite: one writer at a time, so
// the statement sees every earlier claim. RETURNING says which rows are this claim's.
import type { Db } from "../db/client.server.ts";
import { dialectOf } from "../db/dialect.ts";
import { SqlParams } from "../db/sql-params.ts";
import { SYNC_KIND, type SyncKind } from "./task-kind.ts";
import { SYNC_TASK_STATUS } from "./task-status.ts";

export interface ClaimedTask {
  id: number;
  shop: string;
  kind: SyncKind;
  targetId: string;
  /** Counting this claim. */
  attempts: number;
  /** The lockedUntil this claim set: the row is still ours while it holds it. */
  lease: Date;
}

export interface ClaimSpec {
  shop: string;
  now: Date;
  /** At most this many, earliest due first. */
  take: number;
  /** Only this kind (absent: any). */
  kind?: SyncKind;
  /** The lease of a row of this kind: now + leaseMs(kind). */
  leaseMs: (kind: string) => number;
  /** Kinds whose lease is not leaseMs of the default (checked per row: CASE in the statement). */
  leaseKinds: readonly string[];
}

/**
 * Claims the shop's due tasks in one statement: pending and due (not under a live lease), or
 * running under a lease that ran out (a runner that died). Of a paused shop only the undo.
 */
export async function claimTasks(db: Db, spec: ClaimSpec): Promise<ClaimedTask[]> {
  const params = new SqlParams(dialectOf(db));
  const postgres = params.dialect === "postgres";
  // Marks in the order they appear in the statement (SqlParams: SQLite's `?` are positional).
  const p = (value: unknown, cast?: string) => params.p(value, cast);
  const at = (d: Date) => p(d, "timestamp(3)");
  const leaseOf = (kind: string) => new Date(spec.now.getTime() + spec.leaseMs(kind));
  const defaultLease = leaseOf("");
  // The conditions of a claimable row, in the outer statement too: on PostgreSQL they are
  // re-checked on the row as locked (another runner may have claimed it since the snapshot).
  const due = () =>
    `(("status" = ${p(SYNC_TASK_STATUS.pending)} AND "dueAt" <= ${at(spec.now)} AND ("lockedUntil" IS NULL OR "lockedUntil" < ${at(spec.now)}))
      OR ("status" = ${p(SYNC_TASK_STATUS.running)} AND "lockedUntil" < ${at(spec.now)}))`;
  const scope = () =>
    `"shop" = ${p(spec.shop)}${spec.kind ? ` AND "kind" = ${p(spec.kind)}` : ""}
      AND ("kind" = ${p(SYNC_KIND.undo)} OR NOT EXISTS (SELECT 1 FROM "ShopSettings" s WHERE s."shop" = ${p(spec.shop)} AND s."pausedAt" IS NOT NULL))`;
  // The pick is a materialized CTE: as `IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` the
  // planner may run the subquery again per row, each run skipping the row just locked and
  // taking the next, so a claim could take more than `take` rows (seen on the inbox's claim,
  // decision 0037). Marks are made in the order they appear (SqlParams: SQLite's `?` are positional).
  const picked = `WITH "picked" AS MATERIALIZED (
      SELECT "id" FROM "SyncTask" WHERE ${scope()} AND ${due()}
      ORDER BY "dueAt", "id" LIMIT ${p(spec.take, "int")}${postgres ? " FOR UPDATE SKIP LOCKED" : ""}
    )`;
  const set = [
    `"status" = ${p(SYNC_TASK_STATUS.running)}`,
    `"attempts" = "attempts" + 1`,
    `"lockedUntil" = ${
      spec.leaseKinds.length
        ? `CASE ${spec.leaseKinds.map((k) => `WHEN "kind" = ${p(k)} THEN ${at(leaseOf(k))}`).join(" ")} ELSE ${at(defaultLease)} END`
        : at(defaultLease)
    }`,
    `"updatedAt" = ${at(spec.now)}`,
  ].join(", ");
  const sql = `${picked}
    UPDATE "SyncTask" SET ${set}
    WHERE "id" IN (SELECT "id" FROM "picked") AND ${due()}
    RETURNING "id", "kind", "targetId", "attempts"`;
  const rows = await db.$queryRawUnsafe<{ id: number | bigint; kind: string; targetId: string; attempts: number | bigint }[]>(
    sql,
    ...params.values,
  );
  return rows
    .map((r) => ({
      id: Number(r.id),
      shop: spec.shop,
      kind: r.kind as SyncKind,
      targetId: r.targetId,
      attempts: Number(r.attempts),
      lease: leaseOf(spec.leaseKinds.includes(r.kind) ? r.kind : ""),
    }))
    .sort((a, b) => a.id - b.id);
}

/** How a claimed task ended: done, or its error (a retry with backoff, or given up). */
export type Finish =
  | { status: typeof SYNC_TASK_STATUS.done }
  | { status: typeof SYNC_TASK_STATUS.pending; lastError: string; dueAt: Date }
  | { status: typeof SYNC_TASK_STATUS.failed; lastError: string };

/**
 * Records the outcomes, one statement per distinct outcome and lease (a batch that failed
 * together shares one). Only rows still ours change: a task re-enqueued while it was pushed
 * (status back to pending, our lease kept) is newer work; its lease is lifted so it runs as
 * soon as it is due. Returns the ids recorded as decided (the others were re-enqueued).
 */
export async function finishTasks(db: Db, outcomes: { task: ClaimedTask; finish: Finish }[]): Promise<Set<number>> {
  const groups = new Map<string, { lease: Date; finish: Finish; ids: number[] }>();
  for (const { task, finish } of outcomes) {
    const key = JSON.stringify([task.lease.getTime(), finish]);
    const g = groups.get(key) ?? { lease: task.lease, finish, ids: [] };
    g.ids.push(task.id);
    groups.set(key, g);
  }
  const recorded = new Set<number>();
  for (const { lease, finish, ids } of groups.values()) {
    const data =
      finish.status === SYNC_TASK_STATUS.done
        ? { status: finish.status, lockedUntil: null, lastError: null }
        : finish.status === SYNC_TASK_STATUS.pending
          ? { status: finish.status, lockedUntil: null, lastError: finish.lastError, dueAt: finish.dueAt }
          : { status: finish.status, lockedUntil: null, lastError: finish.lastError };
    const r = await db.syncTask.updateManyAndReturn({
      where: { id: { in: ids }, status: SYNC_TASK_STATUS.running, lockedUntil: lease },
      data,
      select: { id: true },
    });
    for (const { id } of r) recorded.add(id);
    if (r.length < ids.length) {
      await db.syncTask.updateMany({
        where: { id: { in: ids.filter((id) => !recorded.has(id)) }, status: SYNC_TASK_STATUS.pending, lockedUntil: lease },
        data: { lockedUntil: null },
      });
    }
  }
  return recorded;
}
