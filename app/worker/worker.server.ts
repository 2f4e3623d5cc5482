// Drains the webhook inbox: per shop, in arrival order, events applied in chunks, each
// chunk one transaction (applied and marked done together, so a crash leaves it pending
// and it is simply tried again). A payload that cannot be parsed or mapped is rejected at
// once with its reason (retrying cannot fix it); other failures retry with backoff.
// Either way the event stays visible to the merchant, never dropped.
import crypto from "node:crypto";
import os from "node:os";
import { CLAIMABLE_INBOX_STATUSES, INBOX_STATUS, STOPPED_INBOX_STATUSES } from "../inbox/inbox-status.ts";
import { toDomainEvent, normalizeTopic } from "../shopify/webhook-payloads.ts";
import { parsePayload } from "../shopify/payload-json.ts";
import { coalesceLevels } from "../backorder/coalesce.ts";
import type { DomainEvent, OrderSnapshotEvent } from "../backorder/events.ts";
import type { Db, Tx } from "../db/client.server.ts";
import { dialectOf } from "../db/dialect.ts";
import { SqlParams } from "../db/sql-params.ts";
import { chunks, eachChunk, inChunks } from "../db/chunks.ts";
import { applyEvents, applyOrderLineSlice, type Affected } from "../engine/apply-event.server.ts";
import { deriveVariant, writeDerivation } from "../engine/recompute.server.ts";
import { lockShopEngine } from "../engine/engine-lock.server.ts";
import { claimShop, holdShop, releaseShop, ShopLeaseLost } from "./shop-lease.server.ts";
import { bodyPartBytes, deleteBodyParts, readBodyParts } from "../inbox/body-parts.server.ts";

export const MAX_ATTEMPTS = 8;
/**
 * A claimed event (and a claimed shop, see shop-lease.server.ts) not finished within this long
 * is considered crashed and is claimed again. The shop's lease is renewed with each chunk.
 */
export const LEASE_MS = 60_000;
/**
 * Events in a shop's first transaction of a drain, and the fewest in any later one. Later
 * chunks are sized by how long the last one took (ChunkPace): a shop with a backlog of cheap
 * events gets larger ones, since each chunk re-derives every variant it touches once and runs
 * the sync hooks once, whatever its number of events.
 */
export const CHUNK_EVENTS = 100;
/** ChunkPace's default maximum; the worker's own, per database, are MAX_CHUNK_EVENTS_OF. */
export const MAX_CHUNK_EVENTS = 500;
/**
 * The most events in one transaction, and the events a drain claims at a time (a chunk cannot
 * be larger than the claim), per database. The fixed cost per chunk (each touched variant's
 * open lines read, the sync hooks) was still a fifth of an event's time at 500 (decision 0039);
 * the time target bounds a chunk either way. SQLite's stays under its 999 parameters, so a
 * claim's ids still fit one model query's `in` list (the multi-worker fault test reads them so).
 */
export const MAX_CHUNK_EVENTS_OF = { sqlite: 900, postgres: 1_000 } as const;
/**
 * How long a chunk's transaction aims to last. On SQLite it holds the database's one write
 * lock, which the web process's webhook inserts wait for: no longer than a chunk of
 * CHUNK_EVENTS took before chunks grew (about 3 ms an event on a quiet machine). On
 * PostgreSQL inserts do not wait for it; it bounds how long the shop's engine lock keeps the
 * catalog sync out, and how late a stop-selling push is woken.
 */
export const CHUNK_TARGET_MS = { sqlite: 300, postgres: 300 } as const;
/** Payload bytes per transaction: a chunk stops growing here (a larger event goes alone). */
export const CHUNK_BYTES = 4 * 1024 * 1024;
/**
 * An order with more lines than this is applied in slices of this many lines, each its own
 * short transaction (see applyLargeOrder): on SQLite one long write transaction holds up
 * every webhook acknowledgement, and Shopify gives up on a delivery after 5 s.
 */
export const ORDER_SLICE_LINES = 1_000;

export function backoffMs(attempts: number): number {
  // 2s, 4s, 8s ... capped at 1h: Shopify-side glitches clear quickly, bugs need a deploy.
  return Math.min(3_600_000, 1000 * 2 ** attempts);
}

export interface DrainOptions {
  now?: () => Date;
  batchSize?: number;
  /** Called inside the event's transaction with what it changed (the Shopify sync hooks in here). */
  afterApply?: (tx: Tx, shop: string, affected: Affected) => Promise<void>;
  /** Called after each transaction that ran afterApply has committed (the worker wakes its sync loop from here). */
  afterCommit?: () => void;
  /** Test seam: runs inside the transaction after the event is applied, before it commits. */
  beforeCommit?: (inboxId: number) => Promise<void> | void;
  /**
   * Graceful stop: once aborted, nothing new is claimed, the transaction in hand finishes
   * (or rolls back), and claimed events not applied go back to `pending` with no lease.
   */
  signal?: AbortSignal;
  /** How long a claim (of events, of a shop) lasts before another worker may take it over; default LEASE_MS. */
  leaseMs?: number;
}

export interface DrainResult {
  processed: number;
  failed: number;
  /** Payloads that cannot be parsed or mapped: status "rejected", not retried. */
  rejected: number;
}

/**
 * A claimable row (status claimable, due, no live lease), as SQL: the claim and the shops pass
 * are plain statements (decision 0037). Timestamps are typed on PostgreSQL, compared as the
 * client stores them on SQLite.
 */
function dueSql(p: SqlParams, now: Date): string {
  return `"status" IN (${p.list(CLAIMABLE_INBOX_STATUSES)}) AND "nextAttemptAt" <= ${p.p(now, "timestamp(3)")}
    AND ("lockedUntil" IS NULL OR "lockedUntil" < ${p.p(now, "timestamp(3)")})`;
}

/** Inbox ids per statement, as one parameter (SqlParams.ids): a chunk's. */
const IDS_PER_LIST = MAX_CHUNK_EVENTS_OF.postgres;

/** Shops a pass of drainInbox takes: each gets one batch, then the shops are looked up again. */
export const SHOPS_PER_PASS = 20;

/**
 * The shops with events due now, the one whose oldest due event has waited longest first (a
 * shop with a steady stream cannot keep the others out). Grouped in the database: the client's
 * `distinct` read every due row into memory, on every pass.
 */
async function dueShops(db: Db, now: Date): Promise<string[]> {
  const p = new SqlParams(dialectOf(db));
  const rows = await db.$queryRawUnsafe<{ shop: string }[]>(
    `SELECT "shop" FROM "WebhookInbox" WHERE ${dueSql(p, now)}
     GROUP BY "shop" ORDER BY MIN("id") LIMIT ${p.p(SHOPS_PER_PASS, "int")}`,
    ...p.values,
  );
  return rows.map((r) => r.shop);
}

/** Processes every event due now; returns when nothing is due (or when `signal` aborts). */
export async function drainInbox(db: Db, opts: DrainOptions = {}): Promise<DrainResult> {
  const now = opts.now ?? (() => new Date());
  const batchSize = opts.batchSize ?? MAX_CHUNK_EVENTS_OF[dialectOf(db)];
  const total: DrainResult = { processed: 0, failed: 0, rejected: 0 };
  const pace = new ChunkPace(CHUNK_TARGET_MS[dialectOf(db)], MAX_CHUNK_EVENTS_OF[dialectOf(db)]);
  while (!opts.signal?.aborted) {
    const shops = await dueShops(db, now());
    if (shops.length === 0) return total;
    let progressed = false;
    for (const shop of shops) {
      if (opts.signal?.aborted) break;
      const r = await drainShop(db, shop, batchSize, now, opts, pace);
      total.processed += r.processed;
      total.failed += r.failed;
      total.rejected += r.rejected;
      progressed ||= r.processed + r.failed + r.rejected > 0;
    }
    if (!progressed) return total; // everything due is leased by another worker
  }
  return total;
}

type ClaimedRow = { id: number; topic: string; attempts: number; lastError: string | null; bodyId: string | null; bytes: number };
type Prepared = { row: ClaimedRow; topic: string; event: DomainEvent };

/**
 * A batch of the shop's due events, applied while holding the shop's lease: a shop another
 * worker holds is skipped (nothing done), not waited for.
 */
async function drainShop(
  db: Db,
  shop: string,
  batchSize: number,
  now: () => Date,
  opts: DrainOptions,
  pace: ChunkPace,
): Promise<DrainResult> {
  // Names the process, for an operator looking at who holds a shop (ShopLease) or an event.
  const owner = `${os.hostname()}:${process.pid}:${crypto.randomUUID()}`;
  const leaseMs = opts.leaseMs ?? LEASE_MS;
  if (!(await claimShop(db, shop, owner, now(), leaseMs))) return { processed: 0, failed: 0, rejected: 0 };
  try {
    return await drainHeldShop(db, shop, owner, leaseMs, batchSize, now, opts, pace);
  } finally {
    await releaseShop(db, shop, owner);
  }
}

async function drainHeldShop(
  db: Db,
  shop: string,
  owner: string,
  leaseMs: number,
  batchSize: number,
  now: () => Date,
  opts: DrainOptions,
  pace: ChunkPace,
): Promise<DrainResult> {
  const result: DrainResult = { processed: 0, failed: 0, rejected: 0 };
  const lease: Lease = { shop, owner, ms: leaseMs };
  // Leased and counted in one statement: the rows' lease and attempts are what recovery after
  // a crash counts on (an event that crashes the process every time still ends up dead).
  const mine = await claimBatch(db, shop, owner, now(), leaseMs, batchSize);
  if (mine.length === 0) return result;

  const live: ClaimedRow[] = [];
  for (const row of mine) {
    if (row.attempts > MAX_ATTEMPTS) {
      await db.webhookInbox.updateMany({
        where: { id: row.id },
        data: {
          status: INBOX_STATUS.dead,
          lockedUntil: null,
          lockedBy: null,
          lastError: row.lastError ?? "worker stopped while applying it",
        },
      });
      result.failed++;
    } else {
      live.push(row);
    }
  }
  // A chunk of events in one transaction, each variant re-derived once per chunk: in a
  // flash sale most events touch the same few variants. If the chunk fails, its events
  // are applied one by one so a single bad event cannot hold the others back.
  for (let i = 0; i < live.length;) {
    if (opts.signal?.aborted) {
      await release(db, live.slice(i), owner);
      break;
    }
    const chunk = nextChunk(live, i, pace.events(shop));
    try {
      const prepared = await prepare(db, chunk, now, result);
      for (const group of largeOrdersApart(prepared)) {
        if (group.length === 1 && isLargeOrder(group[0]!.event)) await applyLargeOrder(db, lease, group[0]!, now, opts, result);
        else {
          const started = performance.now();
          await applyChunk(db, lease, group, now, opts, result);
          pace.took(shop, group.length, performance.now() - started);
        }
      }
    } catch (e) {
      if (!(e instanceof ShopLeaseLost)) throw e;
      // Another worker has the shop now: what we claimed and did not apply goes back (still ours only).
      await release(db, live.slice(i), owner);
      break;
    }
    i += chunk.length;
    await letOtherWritersIn(db, SQLITE_CHUNK_GAP_MS);
  }
  return result;
}

/** The shop's lease this drain holds: each transaction that applies its events renews it first (holdShop). */
type Lease = { shop: string; owner: string; ms: number };

async function applyChunk(db: Db, lease: Lease, prepared: Prepared[], now: () => Date, opts: DrainOptions, result: DrainResult) {
  if (prepared.length > 1) {
    try {
      await applyRows(db, lease, prepared, now, opts);
      result.processed += prepared.length;
      return;
    } catch (e) {
      if (e instanceof ShopLeaseLost) throw e;
      // fall through to one by one
    }
  }
  for (const p of prepared) {
    try {
      await applyRows(db, lease, [p], now, opts);
      result.processed++;
    } catch (e) {
      if (e instanceof ShopLeaseLost) throw e;
      await recordFailure(db, p.row, e, now);
      result.failed++;
    }
  }
}

/** The chunk in order, each large order on its own (it is applied in slices). */
function largeOrdersApart(prepared: Prepared[]): Prepared[][] {
  const groups: Prepared[][] = [];
  let run: Prepared[] = [];
  for (const p of prepared) {
    if (!isLargeOrder(p.event)) {
      run.push(p);
      continue;
    }
    if (run.length) groups.push(run);
    groups.push([p]);
    run = [];
  }
  if (run.length) groups.push(run);
  return groups;
}

/**
 * Claims the shop's next due events, oldest first, in one statement, returning what the drain
 * needs of them: payload sizes too, so that payloads are read a chunk at a time (a batch may
 * hold several 20 MB orders). The rows are re-checked as due on the row updated: the shop's
 * lease keeps other workers out, and should one still claim the same rows (it took the shop
 * over from a stalled worker), PostgreSQL has it wait for the row and re-check it, which a row
 * claimed or done meanwhile fails; SQLite has one writer. So a row is never claimed twice.
 */
async function claimBatch(db: Db, shop: string, owner: string, now: Date, leaseMs: number, take: number): Promise<ClaimedRow[]> {
  const postgres = dialectOf(db) === "postgres";
  const p = new SqlParams(dialectOf(db));
  // Marks in the order they appear in the statement (SQLite's are positional): the pick, the SET, the re-check.
  const pick = `SELECT "id" FROM "WebhookInbox" WHERE "shop" = ${p.p(shop)} AND ${dueSql(p, now)}
    ORDER BY "id" LIMIT ${p.p(take, "int")}`;
  const set = `"status" = ${p.p(INBOX_STATUS.processing)}, "lockedUntil" = ${p.p(new Date(now.getTime() + leaseMs), "timestamp(3)")},
    "lockedBy" = ${p.p(owner)}, "attempts" = "attempts" + 1`;
  // A large body's bytes are in its parts (summed below); the row's payload is then "".
  const bytes = postgres ? `octet_length("payload")` : `length(CAST("payload" AS BLOB))`;
  // The pick as a materialized CTE, run once whatever the plan. (As an `IN (…)` subquery with
  // FOR UPDATE SKIP LOCKED, PostgreSQL rescanned it per row of a nested loop, each rescan passing
  // over the row just claimed, and a claim of 1 took 2: seen in a test. Row locks are not needed
  // here, see above, and cost a WAL record per row.)
  const rows = await db.$queryRawUnsafe<RawClaimed[]>(
    `WITH "picked" AS MATERIALIZED (${pick})
     UPDATE "WebhookInbox" SET ${set} WHERE "id" IN (SELECT "id" FROM "picked") AND ${dueSql(p, now)}
     RETURNING "id", "topic", "attempts", "lastError", "bodyId", ${bytes} AS "bytes"`,
    ...p.values,
  );
  const partedBytes = await bodyPartBytes(
    db,
    rows.flatMap((r) => (r.bodyId ? [r.bodyId] : [])),
  );
  return rows
    .map((r) => ({
      id: Number(r.id),
      topic: r.topic,
      attempts: Number(r.attempts),
      lastError: r.lastError,
      bodyId: r.bodyId,
      bytes: Number(r.bytes) + (r.bodyId ? (partedBytes.get(r.bodyId) ?? 0) : 0),
    }))
    .sort((a, b) => a.id - b.id); // RETURNING's order is not the statement's ORDER BY
}

type RawClaimed = {
  id: number | bigint;
  topic: string;
  attempts: number | bigint;
  lastError: string | null;
  bodyId: string | null;
  bytes: unknown;
};

/**
 * Each shop's next chunk size, from the time per event of its last chunk: as many events as
 * fit in the target time, at most twice the last size (one slow chunk, a machine busy for a
 * moment, shrinks it at once), between CHUNK_EVENTS and the database's MAX_CHUNK_EVENTS_OF.
 */
export class ChunkPace {
  private readonly size = new Map<string, number>();
  constructor(
    private readonly targetMs: number,
    private readonly maxEvents: number = MAX_CHUNK_EVENTS,
  ) {}

  events(shop: string): number {
    return this.size.get(shop) ?? CHUNK_EVENTS;
  }

  took(shop: string, events: number, ms: number) {
    if (events === 0) return;
    const current = this.events(shop);
    // Twice the current size, not twice this chunk's: one cut short by the end of the batch does not hold the next back.
    const fits = ms > 0 ? Math.floor((this.targetMs * events) / ms) : this.maxEvents;
    this.size.set(shop, Math.max(CHUNK_EVENTS, Math.min(this.maxEvents, 2 * current, fits)));
  }
}

/** The next chunk from `start`: at most `events` events and CHUNK_BYTES of payload (at least one event). */
function nextChunk(rows: ClaimedRow[], start: number, events: number): ClaimedRow[] {
  let bytes = 0;
  let end = start;
  while (end < rows.length && end - start < events && (end === start || bytes + rows[end]!.bytes <= CHUNK_BYTES)) {
    bytes += rows[end]!.bytes;
    end++;
  }
  return rows.slice(start, end);
}

/**
 * Parses and maps the chunk's payloads, outside any transaction. One that cannot be parsed
 * (bad JSON, nested too deep) or mapped (a bound violated, an unsupported topic) will not
 * parse on any retry either: it is rejected at once with the reason.
 */
async function prepare(db: Db, chunk: ClaimedRow[], now: () => Date, result: DrainResult): Promise<Prepared[]> {
  // As plain rows (decision 0029): a chunk's payloads are megabytes, which the model read maps again.
  const payloads = await inChunks(
    chunk.map((r) => r.id),
    (ids) => {
      const p = new SqlParams(dialectOf(db));
      return db.$queryRawUnsafe<{ id: number; payload: string }[]>(
        `SELECT "id", "payload" FROM "WebhookInbox" WHERE "id" IN (${p.ids(ids)})`,
        ...p.values,
      );
    },
    IDS_PER_LIST,
  );
  const payloadOf = new Map(payloads.map((p) => [Number(p.id), p.payload]));
  // A large body is in parts (stored so by the door); it is read a part at a time.
  for (const row of chunk) if (row.bodyId) payloadOf.set(row.id, await readBodyParts(db, row.bodyId));
  const prepared: Prepared[] = [];
  for (const row of chunk) {
    try {
      const topic = normalizeTopic(row.topic);
      if (!topic) throw new UnsupportedTopicError(`unsupported topic ${row.topic}`);
      prepared.push({ row, topic, event: toDomainEvent(topic, parsePayload(payloadOf.get(row.id) ?? "")) });
    } catch (e) {
      await reject(db, row, e, now);
      result.rejected++;
    }
  }
  return prepared;
}

class UnsupportedTopicError extends Error {
  override name = "UnsupportedTopicError";
}

const errorText = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, 2000);

async function reject(db: Db, row: ClaimedRow, e: unknown, now: () => Date) {
  await db.webhookInbox.updateMany({
    where: { id: row.id },
    data: { status: INBOX_STATUS.rejected, lastError: errorText(e), lockedUntil: null, lockedBy: null, processedAt: now() },
  });
}

const isLargeOrder = (e: DomainEvent): e is OrderSnapshotEvent => e.kind === "order" && e.lines.length > ORDER_SLICE_LINES;

/**
 * A very large order, in short transactions: its lines in slices (applyOrderLineSlice),
 * then its variants re-derived from them, the changes written in slices with their sync
 * work (writeDerivation), then the snapshot and "done" in the last one. Each step is
 * idempotent, so a failure or a crash part-way leaves the event to be applied again from
 * the start, ending where a one-shot apply would: the queue is derived from the facts.
 */
async function applyLargeOrder(db: Db, lease: Lease, p: Prepared, now: () => Date, opts: DrainOptions, result: DrainResult) {
  const { shop, owner } = lease;
  const event = p.event as OrderSnapshotEvent;
  const stopped = async () => {
    if (!opts.signal?.aborted) return false;
    await release(db, [p.row], owner);
    return true;
  };
  try {
    let fresh = true;
    for (let from = 0; fresh && from < event.lines.length; from += ORDER_SLICE_LINES) {
      if (await stopped()) return;
      fresh = await db.$transaction(async (tx) => {
        await holdShop(tx, shop, owner, now(), lease.ms);
        await lockShopEngine(tx, shop);
        return applyOrderLineSlice(tx, shop, event, from, from + ORDER_SLICE_LINES);
      }, TX_OPTIONS);
      await letOtherWritersIn(db);
    }
    // Stale (a newer snapshot is stored): the last transaction sees it too and writes nothing.
    if (fresh) {
      const variantIds = [...new Set(event.lines.flatMap((l) => (l.variantId ? [l.variantId] : [])))];
      for (const variantId of variantIds) {
        const changes = await deriveVariant(db, shop, variantId, event.updatedAt, p.topic);
        for (const slice of chunks(changes, ORDER_SLICE_LINES)) {
          if (await stopped()) return;
          await db.$transaction(async (tx) => {
            await holdShop(tx, shop, owner, now(), lease.ms);
            await lockShopEngine(tx, shop);
            const orderIds = await writeDerivation(tx, shop, slice);
            await opts.afterApply?.(tx, shop, { variantIds: new Set(), orderIds: new Set(orderIds) });
          }, TX_OPTIONS);
          opts.afterCommit?.();
          await letOtherWritersIn(db);
        }
      }
    }
    await applyRows(db, lease, [p], now, opts, { linesStored: fresh ? event.lines.length : 0, derived: fresh });
    result.processed++;
  } catch (e) {
    if (e instanceof ShopLeaseLost) throw e;
    await recordFailure(db, p.row, e, now);
    result.failed++;
  }
}

const TX_OPTIONS = { timeout: 60_000, maxWait: 30_000 };

/**
 * SQLite's write lock is not fair: a writer waiting on it (the web process storing a
 * webhook) sleeps and polls, at most 100 ms apart, and loses every time to a worker that
 * starts its next transaction at once. Measured: 5 s acknowledgements during a
 * 100,000-line order although no transaction took a second. A pause that long between
 * slices lets the waiting writer in. PostgreSQL locks rows, not the database: no pause.
 */
export const SQLITE_WRITER_GAP_MS = 100;
/**
 * The same between ordinary chunks, shorter: the web process's webhook inserts wait for the
 * lock a few milliseconds at a time (app/db/client.server.ts) and get in during the gap.
 */
export const SQLITE_CHUNK_GAP_MS = 20;

async function letOtherWritersIn(db: Db, ms = SQLITE_WRITER_GAP_MS) {
  if (dialectOf(db) === "postgres") return;
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function applyRows(
  db: Db,
  lease: Lease,
  rows: Prepared[],
  now: () => Date,
  opts: DrainOptions,
  done: { linesStored?: number; derived?: boolean } = {},
) {
  const { shop } = lease;
  await db.$transaction(async (tx) => {
    await holdShop(tx, shop, lease.owner, now(), lease.ms);
    const events = coalesceLevels(rows).map(({ topic, event }) => ({ event, reason: topic, ...done }));
    const affected = await applyEvents(tx, shop, events);
    await opts.afterApply?.(tx, shop, affected);
    for (const { row } of rows) await opts.beforeCommit?.(row.id);
    // The facts now live in the engine's tables: the payload (customer data, up to
    // megabytes) is not kept, in the row or in parts.
    // One statement sent as SQL (decision 0029): the client would compile a query of 500 ids first.
    await eachChunk(
      rows.map((r) => r.row.id),
      (ids) => {
        const p = new SqlParams(dialectOf(tx));
        return tx.$executeRawUnsafe(
          `UPDATE "WebhookInbox" SET "status" = ${p.p(INBOX_STATUS.done)}, "payload" = '', "bodyId" = NULL,
             "processedAt" = ${p.p(now(), "timestamp(3)")}, "lockedUntil" = NULL, "lockedBy" = NULL, "lastError" = NULL
           WHERE "id" IN (${p.ids(ids)})`,
          ...p.values,
        );
      },
      IDS_PER_LIST,
    );
    await deleteBodyParts(
      tx,
      rows.flatMap((r) => (r.row.bodyId ? [r.row.bodyId] : [])),
    );
  }, TX_OPTIONS);
  opts.afterCommit?.();
}

/** Claimed but not applied (the worker is stopping): back in line at once, not counted as an attempt. */
async function release(db: Db, rows: ClaimedRow[], owner: string) {
  await eachChunk(
    rows.map((r) => r.id),
    (ids) =>
      db.webhookInbox.updateMany({
        where: { id: { in: ids }, lockedBy: owner, status: INBOX_STATUS.processing },
        data: { status: INBOX_STATUS.pending, lockedUntil: null, lockedBy: null, attempts: { decrement: 1 } },
      }),
  );
}

async function recordFailure(db: Db, row: ClaimedRow, e: unknown, now: () => Date) {
  await db.webhookInbox.updateMany({
    where: { id: row.id },
    data: {
      status: row.attempts >= MAX_ATTEMPTS ? INBOX_STATUS.dead : INBOX_STATUS.failed,
      lastError: errorText(e),
      lockedUntil: null,
      lockedBy: null,
      nextAttemptAt: new Date(now().getTime() + backoffMs(row.attempts)),
    },
  });
}

/** Puts dead, failed or rejected events back in line now (the merchant's "retry" button). */
export async function retryInboxEvents(db: Db, shop: string, ids?: number[]): Promise<number> {
  const retry = (where: object) =>
    db.webhookInbox.updateMany({
      where: { shop, status: { in: [...STOPPED_INBOX_STATUSES] }, ...where },
      data: { status: INBOX_STATUS.pending, attempts: 0, nextAttemptAt: new Date(), lockedUntil: null, lockedBy: null },
    });
  if (!ids) return (await retry({})).count;
  return eachChunk(ids, (chunk) => retry({ id: { in: chunk } }));
}
