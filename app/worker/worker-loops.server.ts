// What a worker process runs (`npm run worker`, or the web process's worker child): the
// inbox loop, the Shopify sync loop and its stop-selling lane, the daily storefront-date check
// and the email loop, each on its own RetryLoop so a throttled shop never delays the inbox and
// a database outage stops none of them for good; and the figures snapshots' warmer on a thread
// of its own, so a big shop's recomputation never holds up the inbox or a stop-selling push
// (decision 0034).
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Db } from "../db/client.server.ts";
import { drainInbox, type DrainOptions } from "./worker.server.ts";
import { workerHooks } from "./worker-hooks.server.ts";
import { RetryLoop } from "./retry-loop.server.ts";
import { runPendingSync, runStopSelling } from "../sync/runner.server.ts";
import { processGateways } from "../sync/gateways.server.ts";
import { refreshDatesForNewDay } from "../sync/daily-dates.server.ts";
import { runtimeConfig } from "../config.server.ts";
import { sendDueEmails } from "../email/sender.server.ts";
import { deleteOrphanedBodyParts } from "../inbox/body-parts.server.ts";
import { deleteOldDoneDeliveries } from "../inbox/inbox-retention.server.ts";
import { startFiguresThread, type FiguresThread, type FiguresThreadOptions } from "./figures-thread.server.ts";

/** Polls for events another process stored and for retries that came due; a wake starts a pass at once. */
const INBOX_POLL_MS = 2_000;
const SYNC_POLL_MS = 2_000;
/** The new-day check is one small query; dates move at most once a day per shop. It also sweeps orphaned body parts and old deliveries. */
const DATES_POLL_MS = 60_000;
/** Customer emails: a few seconds late is fine; retries wait minutes anyway. */
const EMAIL_POLL_MS = 5_000;

export interface WorkerLoops {
  /** A webhook was stored: drain now (wakes coalesce). */
  wakeInbox(): void;
  /** The figures snapshots' warmer, on its thread (its `idle` says every committed change is in the snapshots). */
  figures: FiguresThread;
  /** Resolves once every loop has stopped (after the signal aborts). */
  done: Promise<void>;
}

export interface WorkerLoopsOptions {
  /** The figures warmer's timings (tests shorten them). */
  figures?: FiguresThreadOptions;
  /** The database `db` is a client of: the figures thread opens its own client (default: DATABASE_URL, as db() does). */
  databaseUrl?: string;
}

export function startWorkerLoops(
  db: Db,
  signal: AbortSignal,
  log: (line: string) => void = (l) => console.log(l),
  options: WorkerLoopsOptions = {},
): WorkerLoops {
  // A stop-selling push committed by the inbox loop: its own lane pushes it at once, whatever
  // the sync loop is in the middle of (decisions 0023, 0038).
  const hooks = workerHooks(() => {
    stopSelling.wake();
  });
  const drainOptions: DrainOptions = {
    ...hooks,
    signal,
    leaseMs: runtimeConfig().leaseMs,
    // SQLite's driver is synchronous, so a drain would run start to end without one turn of
    // the event loop and a stop message would wait for all of it: give it a turn per chunk.
    afterApply: async (tx, shop, affected) => {
      await hooks.afterApply?.(tx, shop, affected);
      if (affected.variantIds.size + affected.orderIds.size > 0) figures.changed(shop);
      await nextTurn();
    },
    afterCommit: () => {
      hooks.afterCommit?.();
      figures.committed();
    },
  };
  // The dashboard's and the planning page's snapshots, recomputed so a merchant's first visit finds them (decision 0032),
  // on a thread of their own (decision 0034).
  const figures = startFiguresThread(options.databaseUrl ?? runtimeConfig().databaseUrl, signal, log, options.figures);
  const sync = new RetryLoop({
    name: "sync",
    pollMs: SYNC_POLL_MS,
    signal,
    // Pushes what the engine decided (and retries that came due); a failed push stays on its SyncTask.
    pass: async () => {
      const s = await runPendingSync(db, processGateways());
      if (s.done + s.retrying + s.failed > 0) log(`[worker] sync: ${s.done} done, ${s.retrying} retrying, ${s.failed} failed`);
    },
  });
  // DENY at a backorder limit, beside the sync loop rather than between its tasks: a pass can
  // sit for seconds inside one order task, its read waiting for Shopify's rate limit to refill
  // (traced, decision 0038). Same gateways (one throttle tracker per shop): a DENY costs 10
  // points. Its poll picks up a failed push's retry when it comes due.
  const stopSelling = new RetryLoop({
    name: "stop-selling",
    pollMs: SYNC_POLL_MS,
    signal,
    pass: async () => {
      const s = await runStopSelling(db, processGateways());
      if (s.done + s.retrying + s.failed > 0) log(`[worker] stop-selling: ${s.done} done, ${s.retrying} retrying, ${s.failed} failed`);
    },
  });
  const inbox = new RetryLoop({
    name: "inbox",
    pollMs: INBOX_POLL_MS,
    signal,
    pass: async () => {
      const r = await drainInbox(db, drainOptions);
      if (r.processed + r.failed === 0) return;
      log(`[worker] processed ${r.processed}, failed ${r.failed}`);
      sync.wake();
    },
  });
  const dates = new RetryLoop({
    name: "dates",
    pollMs: DATES_POLL_MS,
    signal,
    // A new day in a shop moves its storefront dates: queue their re-publication.
    pass: async () => {
      // A shop's new day moves its plans ("today", the demand windows): its figures too.
      const r = await refreshDatesForNewDay(db, new Date(), (shop) => figures.mark(shop));
      if (r.shops > 0) sync.wake();
      // Also rare and cheap: large bodies whose delivery was never stored (see body-parts.server.ts).
      const orphans = await deleteOrphanedBodyParts(db);
      if (orphans > 0) log(`[worker] deleted the parts of ${orphans} webhook bodies never stored`);
      // And deliveries applied over a week ago (a batch a minute; a backlog goes in hours, a write at a time).
      const old = await deleteOldDoneDeliveries(db);
      if (old > 0) log(`[worker] deleted ${old} deliveries applied over a week ago`);
    },
  });
  const email = new RetryLoop({
    name: "email",
    pollMs: EMAIL_POLL_MS,
    signal,
    // Its own loop: an SMTP server that hangs or refuses delays emails, never the queue.
    pass: async () => {
      const r = await sendDueEmails(db);
      if (r.sent + r.retrying + r.failed > 0) log(`[worker] email: ${r.sent} sent, ${r.retrying} retrying, ${r.failed} failed`);
    },
  });
  const done = Promise.all([inbox.run(), sync.run(), stopSelling.run(), dates.run(), email.run(), figures.done]).then(() => undefined);
  return { wakeInbox: () => inbox.wake(), figures, done };
}
