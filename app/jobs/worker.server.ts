// Drains the webhook inbox: per shop, in arrival order, each event in its own
// transaction (applied and marked done together, so a crash leaves it pending and it
// is simply tried again). Failures retry with backoff and stay visible, never dropped.
import crypto from "node:crypto";
import { toDomainEvent, normalizeTopic } from "../shopify/webhook-payloads.ts";
import { coalesceLevels } from "../backorder/coalesce.ts";
import type { Db, Tx } from "../db/client.server.ts";
import { applyEvents, type Affected } from "../queue/apply-event.server.ts";

export const MAX_ATTEMPTS = 8;
/** A claimed event not finished within this long is considered crashed and is claimed again. */
export const LEASE_MS = 60_000;

export function backoffMs(attempts: number): number {
  // 2s, 4s, 8s ... capped at 1h: Shopify-side glitches clear quickly, bugs need a deploy.
  return Math.min(3_600_000, 1000 * 2 ** attempts);
}

export interface DrainOptions {
  now?: () => Date;
  batchSize?: number;
  /** Called inside the event's transaction with what it changed (the Shopify sync hooks in here). */
  afterApply?: (tx: Tx, shop: string, affected: Affected) => Promise<void>;
  /** Test seam: runs inside the transaction after the event is applied, before it commits. */
  beforeCommit?: (inboxId: number) => Promise<void> | void;
  /**
   * Graceful stop: once aborted, nothing new is claimed, the chunk in hand finishes (or
   * rolls back), and rows claimed but not started go back to pending with no lease.
   */
  signal?: AbortSignal;
}

export interface DrainResult {
  processed: number;
  failed: number;
}

const DUE = (now: Date) => ({
  status: { in: ["pending", "failed", "processing"] },
  nextAttemptAt: { lte: now },
  OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }],
});

/** Processes every event due now; returns when nothing is due. */
export async function drainInbox(db: Db, opts: DrainOptions = {}): Promise<DrainResult> {
  const now = opts.now ?? (() => new Date());
  const batchSize = opts.batchSize ?? 200;
  const total: DrainResult = { processed: 0, failed: 0 };
  for (;;) {
    if (opts.signal?.aborted) return total;
    const shops = await db.webhookInbox.findMany({
      where: DUE(now()),
      distinct: ["shop"],
      select: { shop: true },
      take: 20,
    });
    if (shops.length === 0) return total;
    let progressed = false;
    for (const { shop } of shops) {
      if (opts.signal?.aborted) return total;
      const r = await drainShop(db, shop, batchSize, now, opts);
      total.processed += r.processed;
      total.failed += r.failed;
      progressed ||= r.processed + r.failed > 0;
    }
    if (!progressed) return total; // everything due is leased by another worker
  }
}

async function drainShop(
  db: Db,
  shop: string,
  batchSize: number,
  now: () => Date,
  opts: DrainOptions,
): Promise<DrainResult> {
  const result: DrainResult = { processed: 0, failed: 0 };
  const due = await db.webhookInbox.findMany({
    where: { shop, ...DUE(now()) },
    orderBy: { id: "asc" },
    take: batchSize,
    select: { id: true },
  });
  if (due.length === 0) return result;
  // Lease the batch: another worker skips rows whose lease is live, so a shop's
  // events are applied by one worker at a time, in order.
  const owner = crypto.randomUUID();
  const ids = due.map((d) => d.id);
  const leaseUntil = new Date(now().getTime() + LEASE_MS);
  await db.webhookInbox.updateMany({
    where: { id: { in: ids }, ...DUE(now()) },
    // Counted at claim time, so an event that crashes the process every time still ends up dead.
    data: { status: "processing", lockedUntil: leaseUntil, lockedBy: owner, attempts: { increment: 1 } },
  });
  const mine = await db.webhookInbox.findMany({
    where: { id: { in: ids }, status: "processing", lockedBy: owner },
    orderBy: { id: "asc" },
  });

  const live: InboxRow[] = [];
  for (const row of mine) {
    if (row.attempts > MAX_ATTEMPTS) {
      await db.webhookInbox.updateMany({
        where: { id: row.id },
        data: { status: "dead", lockedUntil: null, lockedBy: null, lastError: row.lastError ?? "worker stopped while applying it" },
      });
      result.failed++;
    } else {
      live.push(row);
    }
  }
  // A chunk of events in one transaction, each variant re-derived once per chunk: in a
  // flash sale most events touch the same few variants. If the chunk fails, its events
  // are applied one by one so a single bad event cannot hold the others back.
  for (let i = 0; i < live.length; i += CHUNK) {
    if (opts.signal?.aborted) {
      await releaseUnstarted(db, owner, live.slice(i));
      break;
    }
    const chunk = live.slice(i, i + CHUNK);
    if (chunk.length > 1) {
      try {
        await applyRows(db, shop, chunk, now, opts);
        result.processed += chunk.length;
        continue;
      } catch {
        // fall through to one by one
      }
    }
    for (const row of chunk) {
      try {
        await applyRows(db, shop, [row], now, opts);
        result.processed++;
      } catch (e) {
        await recordFailure(db, row, e, now);
        result.failed++;
      }
    }
  }
  return result;
}

/** Rows claimed but never started go back in line at once, their claim not counted as an attempt. */
async function releaseUnstarted(db: Db, owner: string, rows: InboxRow[]) {
  await db.webhookInbox.updateMany({
    where: { id: { in: rows.map((r) => r.id) }, status: "processing", lockedBy: owner },
    data: { status: "pending", lockedUntil: null, lockedBy: null, attempts: { decrement: 1 } },
  });
}

type InboxRow = { id: number; topic: string; payload: string; attempts: number; lastError: string | null };

const CHUNK = 100;

async function applyRows(db: Db, shop: string, rows: InboxRow[], now: () => Date, opts: DrainOptions) {
  await db.$transaction(
    async (tx) => {
      const events = rows.map((row) => {
        const topic = normalizeTopic(row.topic);
        if (!topic) throw new Error(`unsupported topic ${row.topic}`);
        return { topic, event: toDomainEvent(topic, JSON.parse(row.payload)) };
      });
      const affected = await applyEvents(tx, shop, coalesceLevels(events).map(({ topic, event }) => ({ event, reason: topic })));
      await opts.afterApply?.(tx, shop, affected);
      for (const row of rows) await opts.beforeCommit?.(row.id);
      await tx.webhookInbox.updateMany({
        where: { id: { in: rows.map((r) => r.id) } },
        data: { status: "done", processedAt: now(), lockedUntil: null, lockedBy: null, lastError: null },
      });
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
}

async function recordFailure(db: Db, row: InboxRow, e: unknown, now: () => Date) {
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  await db.webhookInbox.updateMany({
    where: { id: row.id },
    data: {
      status: row.attempts >= MAX_ATTEMPTS ? "dead" : "failed",
      lastError: message.slice(0, 2000),
      lockedUntil: null,
      lockedBy: null,
      nextAttemptAt: new Date(now().getTime() + backoffMs(row.attempts)),
    },
  });
}

/** Puts dead or failed events back in line now (the merchant's "retry" button). */
export async function retryInboxEvents(db: Db, shop: string, ids?: number[]): Promise<number> {
  const r = await db.webhookInbox.updateMany({
    where: { shop, status: { in: ["dead", "failed"] }, ...(ids ? { id: { in: ids } } : {}) },
    data: { status: "pending", attempts: 0, nextAttemptAt: new Date(), lockedUntil: null, lockedBy: null },
  });
  return r.count;
}
