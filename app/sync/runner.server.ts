// Runs the Shopify sync: claims due SyncTask rows under a lease, pushes each shop's
// work (all its due variants in one batched push), and records the outcome. Stop-selling
// pushes (DENY at a backorder limit) jump the queue: claimed before anything else in every
// pass, and again between the tasks of a batch (decision 0023); the worker also runs them on
// a lane of their own beside the pass, `runStopSelling` (decision 0038). A transient
// failure is tried again with backoff; a permanent one (or too many attempts) leaves the
// task `failed` with its error, for the merchant to see and retry. Engine state and the
// webhook inbox are never touched here: a failed push loses nothing but time.
import { eachChunk } from "../db/chunks.ts";
import type { Db } from "../db/client.server.ts";
import { AdminApiError } from "../shopify/admin-errors.ts";
import type { AdminGateway } from "../shopify/admin-operations.server.ts";
import type { GatewayFactory } from "../shopify/gateway.server.ts";
import { claimTasks, finishTasks, type ClaimedTask, type Finish } from "./claim.server.ts";
import { runCatalogSync } from "./catalog-sync.server.ts";
import { refreshAutoEnableCollection } from "./collection-sync.server.ts";
import { recordShipDates, sendFlowTrigger } from "./flow-sync.server.ts";
import { pushOrderPromise } from "./order-promise-sync.server.ts";
import { cancelOrder, pushOrder } from "./order-sync.server.ts";
import { syncLocations } from "./location-sync.server.ts";
import { SYNC_KIND, type SyncKind } from "./task-kind.ts";
import { SYNC_TASK_STATUS } from "./task-status.ts";
import { pushShopShipping } from "./shop-sync.server.ts";
import { runUndo } from "./undo.server.ts";
import { pushVariants } from "./variant-sync.server.ts";

export const SYNC_MAX_ATTEMPTS = 6;
/** A claimed task not finished within this long is taken to be crashed and claimed again. */
export const SYNC_LEASE_MS = 5 * 60_000;
/**
 * The catalog sync of a large shop waits for Shopify's bulk operation (up to 45 minutes per
 * run) and applies its result, longer than SYNC_LEASE_MS: a second runner must not take it
 * over while the first is still at it. When a runner dies, the next one claims it after
 * this lease and resumes from the last chunk applied (catalog-bulk.server.ts).
 */
export const CATALOG_LEASE_MS = 60 * 60_000;
/**
 * A stop-selling push is a call or two: a runner that died holding one is taken over soon,
 * not after SYNC_LEASE_MS (a second runner pushing the same DENY does no harm).
 */
export const STOP_SELLING_LEASE_MS = 30_000;

export function syncBackoffMs(attempts: number): number {
  // 10s, 20s, 40s … capped at 30 min.
  return Math.min(30 * 60_000, 10_000 * 2 ** Math.max(0, attempts - 1));
}

export interface SyncOptions {
  now?: () => Date;
  maxAttempts?: number;
  leaseMs?: number;
  /** Tasks claimed per shop and pass. */
  batchSize?: number;
  /** Passes over the due tasks before returning (new work keeps arriving in a busy shop). */
  maxPasses?: number;
}

export interface SyncResult {
  done: number;
  /** Put back for a later try (after a transient failure, or re-enqueued meanwhile). */
  retrying: number;
  failed: number;
}

type Claimed = ClaimedTask;

// DENY at a backorder limit first (decision 0023). Lines' locations right after the catalog,
// so the pushes that follow see the queue they give; the collection's membership after the
// catalog (it switches on sold-out variants it knows of), before the pushes; order promises
// and Flow triggers after the variant push has recorded the ship dates they carry; the undo
// last (of a paused shop nothing else is claimed, so it runs alone).
const KIND_ORDER: SyncKind[] = [
  SYNC_KIND.stopSelling,
  SYNC_KIND.catalog,
  SYNC_KIND.locations,
  SYNC_KIND.collection,
  SYNC_KIND.variant,
  SYNC_KIND.order,
  SYNC_KIND.orderPromise,
  SYNC_KIND.orderCancel,
  SYNC_KIND.flow,
  SYNC_KIND.shop,
  SYNC_KIND.undo,
];
/** The catalog sync and the undo page through a whole shop, waiting on the rate limit. */
const LONG_KINDS = new Set<string>([SYNC_KIND.catalog, SYNC_KIND.undo]);

const dueWhere = (now: Date) => ({
  OR: [
    { status: SYNC_TASK_STATUS.pending, dueAt: { lte: now }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
    { status: SYNC_TASK_STATUS.running, lockedUntil: { lt: now } }, // a crashed runner's lease ran out
  ],
});

export async function runPendingSync(db: Db, gateways: GatewayFactory, opts: SyncOptions = {}): Promise<SyncResult> {
  const now = opts.now ?? (() => new Date());
  const total: SyncResult = { done: 0, retrying: 0, failed: 0 };
  const add = (r: SyncResult) => {
    total.done += r.done;
    total.retrying += r.retrying;
    total.failed += r.failed;
    return r.done + r.retrying + r.failed > 0;
  };
  const stopSellingEverywhere = async () => add(await pushStopSellingEverywhere(db, gateways, now, opts));
  for (let pass = 0; pass < (opts.maxPasses ?? 20); pass++) {
    let progressed = await stopSellingEverywhere();
    // A paused shop's pushes wait (without taking a place among the 50), its undo does not.
    const paused = await pausedShops(db);
    const where = paused.length
      ? { AND: [dueWhere(now()), { OR: [{ shop: { notIn: paused } }, { kind: SYNC_KIND.undo }] }] }
      : dueWhere(now());
    const shops = await db.syncTask.findMany({ where, distinct: ["shop"], select: { shop: true }, take: 50 });
    if (shops.length === 0) break;
    for (const { shop } of shops) {
      const gateway = gateways(shop);
      // This shop's stop-selling tasks between any two of its calls (the worker's stop-selling
      // lane pushes every shop's at once beside this pass: runStopSelling).
      const r = await syncShop(db, gateway, shop, now, opts, async () => {
        const mine = await pushStopSelling(db, gateway, shop, now, opts);
        progressed = add(mine.result) || progressed;
        return mine.pushed;
      });
      progressed = add(r) || progressed;
    }
    if (!progressed) break; // everything due is leased by another runner
  }
  return total;
}

const pausedShops = async (db: Db) =>
  (await db.shopSettings.findMany({ where: { pausedAt: { not: null } }, select: { shop: true } })).map((s) => s.shop);

/**
 * Every shop's due stop-selling tasks, and nothing else: the worker's stop-selling lane runs
 * this beside runPendingSync, so a DENY is not held up by whatever the sync loop is in the
 * middle of (an order task waiting for Shopify's rate limit; decision 0038). The claim is the
 * same exact claim: of two runners (or this lane and a runner's pass), one pushes each task.
 */
export const runStopSelling = (db: Db, gateways: GatewayFactory, opts: SyncOptions = {}): Promise<SyncResult> =>
  pushStopSellingEverywhere(db, gateways, opts.now ?? (() => new Date()), opts);

/** Every shop's due stop-selling tasks (a paused shop's wait, as its other pushes do). */
async function pushStopSellingEverywhere(db: Db, gateways: GatewayFactory, now: () => Date, opts: SyncOptions): Promise<SyncResult> {
  const total: SyncResult = { done: 0, retrying: 0, failed: 0 };
  const paused = await pausedShops(db);
  const shops = await db.syncTask.findMany({
    where: { kind: SYNC_KIND.stopSelling, ...(paused.length ? { shop: { notIn: paused } } : {}), ...dueWhere(now()) },
    distinct: ["shop"],
    select: { shop: true },
  });
  for (const { shop } of shops) {
    const { result: r } = await pushStopSelling(db, gateways(shop), shop, now, opts);
    total.done += r.done;
    total.retrying += r.retrying;
    total.failed += r.failed;
  }
  return total;
}

/**
 * The shop's due stop-selling tasks, claimed and pushed on their own: the inventory policy only.
 * `pushed`: the variants whose policy Shopify now has from a plan newer than any made before.
 */
async function pushStopSelling(
  db: Db,
  gateway: AdminGateway,
  shop: string,
  now: () => Date,
  opts: SyncOptions,
): Promise<{ result: SyncResult; pushed: string[] }> {
  const result: SyncResult = { done: 0, retrying: 0, failed: 0 };
  const tasks = await claimStopSelling(db, shop, now(), opts);
  if (tasks.length === 0) return { result, pushed: [] };
  const failed = await pushStopSellingTasks(db, gateway, shop, tasks, now);
  const pushed = tasks.filter((t) => !failed.has(t.targetId));
  add(result, await finishAll(db, tasks, (t) => failed.get(t.targetId) ?? null, now(), opts));
  return { result, pushed: pushed.map((t) => t.targetId) };
}

/** Stop-selling tasks claimed at once: at most this many (a shop's variants that reached a limit). */
const STOP_SELLING_CLAIM = 500;

/** The shop's due stop-selling tasks, in one statement however many (claim.server.ts). */
const claimStopSelling = (db: Db, shop: string, now: Date, opts: SyncOptions): Promise<Claimed[]> =>
  claimTasks(db, { shop, now, take: STOP_SELLING_CLAIM, kind: SYNC_KIND.stopSelling, ...leases(opts) });

async function pushStopSellingTasks(db: Db, gateway: AdminGateway, shop: string, tasks: Claimed[], now: () => Date) {
  try {
    return await pushVariants(
      db,
      gateway,
      shop,
      tasks.map((t) => t.targetId),
      now(),
      { policyOnly: true },
    );
  } catch (e) {
    return new Map(tasks.map((t) => [t.targetId, asError(e)]));
  }
}

/** The shop's due tasks, earliest first, in one statement (of a paused shop: only the undo). */
const claim = (db: Db, shop: string, now: Date, opts: SyncOptions): Promise<Claimed[]> =>
  claimTasks(db, { shop, now, take: opts.batchSize ?? 250, ...leases(opts) });

const leases = (opts: SyncOptions) => ({
  leaseMs: (kind: string) => leaseMsOf(kind, opts),
  leaseKinds: [...LONG_KINDS, SYNC_KIND.stopSelling],
});

function leaseMsOf(kind: string, opts: SyncOptions): number {
  if (LONG_KINDS.has(kind)) return CATALOG_LEASE_MS;
  const ms = opts.leaseMs ?? SYNC_LEASE_MS;
  return kind === SYNC_KIND.stopSelling ? Math.min(ms, STOP_SELLING_LEASE_MS) : ms;
}

async function syncShop(
  db: Db,
  gateway: AdminGateway,
  shop: string,
  now: () => Date,
  opts: SyncOptions,
  /** Pushes stop-selling tasks due meanwhile; returns this shop's variants it pushed. */
  between: () => Promise<string[]>,
): Promise<SyncResult> {
  await between();
  const tasks = await claim(db, shop, now(), opts);
  const outcome = new Map<number, Error | null>();
  const settle = (t: Claimed, e: Error | null) => outcome.set(t.id, e);

  for (const kind of KIND_ORDER) {
    const ofKind = tasks.filter((t) => t.kind === kind);
    if (ofKind.length === 0) continue;
    if (kind === SYNC_KIND.stopSelling) {
      const failed = await pushStopSellingTasks(db, gateway, shop, ofKind, now);
      for (const t of ofKind) settle(t, failed.get(t.targetId) ?? null);
      continue;
    }
    await between();
    if (kind === SYNC_KIND.variant) {
      try {
        // Lines' ship dates first: a moved date enqueues its Flow trigger (claimed in the runner's next pass).
        // Orders whose promise this pass pushes after it anyway are not enqueued again.
        const promises = new Set(tasks.filter((t) => t.kind === SYNC_KIND.orderPromise).map((t) => t.targetId));
        await recordShipDates(
          db,
          shop,
          ofKind.map((t) => t.targetId),
          now(),
          promises,
        );
        const failed = await pushVariants(
          db,
          gateway,
          shop,
          ofKind.map((t) => t.targetId),
          now(),
          { between },
        );
        for (const t of ofKind) settle(t, failed.get(t.targetId) ?? null);
      } catch (e) {
        for (const t of ofKind) settle(t, asError(e));
      }
      continue;
    }
    for (const [i, t] of ofKind.entries()) {
      if (i > 0) await between();
      try {
        if (kind === SYNC_KIND.catalog) await runCatalogSync(db, gateway, shop, now());
        else if (kind === SYNC_KIND.collection) await refreshAutoEnableCollection(db, gateway, shop, now());
        else if (kind === SYNC_KIND.order) await pushOrder(db, gateway, shop, t.targetId, now());
        else if (kind === SYNC_KIND.orderPromise) await pushOrderPromise(db, gateway, shop, t.targetId, now());
        else if (kind === SYNC_KIND.undo) await runUndo(db, gateway, shop, now());
        else if (kind === SYNC_KIND.flow) await sendFlowTrigger(db, gateway, shop, t.targetId, now());
        else if (kind === SYNC_KIND.shop) await pushShopShipping(db, gateway, shop);
        else if (kind === SYNC_KIND.locations) await syncLocations(db, gateway, shop, t.targetId, now());
        else await cancelOrder(db, gateway, shop, t.targetId);
        settle(t, null);
      } catch (e) {
        settle(t, asError(e));
      }
    }
  }

  // Unknown kind (a newer version's task, claimed by an older runner): an error, retried later.
  return finishAll(db, tasks, (t) => (outcome.has(t.id) ? outcome.get(t.id)! : new Error(`unknown sync kind ${t.kind}`)), now(), opts);
}

/** Records every task's outcome set-wise (claim.server.ts); counts them. */
async function finishAll(
  db: Db,
  tasks: Claimed[],
  errorOf: (t: Claimed) => Error | null,
  now: Date,
  opts: SyncOptions,
): Promise<SyncResult> {
  const result: SyncResult = { done: 0, retrying: 0, failed: 0 };
  const outcomes = tasks.map((task) => ({ task, finish: finishOf(task, errorOf(task), now, opts) }));
  const recorded = await finishTasks(db, outcomes);
  for (const { task, finish } of outcomes) {
    // Not recorded: re-enqueued while we pushed, newer work that runs again as soon as it is due.
    if (!recorded.has(task.id)) result.retrying++;
    else result[finish.status === SYNC_TASK_STATUS.done ? "done" : finish.status === SYNC_TASK_STATUS.failed ? "failed" : "retrying"]++;
  }
  return result;
}

/** Done; or retried with backoff; or given up (a permanent error, or too many attempts). */
function finishOf(t: Claimed, error: Error | null, now: Date, opts: SyncOptions): Finish {
  if (!error) return { status: SYNC_TASK_STATUS.done };
  const permanent = error instanceof AdminApiError && error.permanent;
  const lastError = `${permanent ? "" : `attempt ${t.attempts}: `}${error.message}`.slice(0, 2000);
  if (permanent || t.attempts >= (opts.maxAttempts ?? SYNC_MAX_ATTEMPTS)) return { status: SYNC_TASK_STATUS.failed, lastError };
  return { status: SYNC_TASK_STATUS.pending, lastError, dueAt: new Date(now.getTime() + syncBackoffMs(t.attempts)) };
}

const add = (total: SyncResult, r: SyncResult) => {
  total.done += r.done;
  total.retrying += r.retrying;
  total.failed += r.failed;
};

/** The merchant's retry: failed tasks go back in line now (all of the shop's, or the given ids). */
export async function retryFailedSyncTasks(db: Db, shop: string, ids?: number[], now = new Date()): Promise<number> {
  const retry = (where: object) =>
    db.syncTask.updateMany({
      where: { shop, status: SYNC_TASK_STATUS.failed, ...where },
      data: { status: SYNC_TASK_STATUS.pending, attempts: 0, dueAt: now, lockedUntil: null },
    });
  if (!ids) return (await retry({})).count;
  return eachChunk(ids, (chunk) => retry({ id: { in: chunk } }));
}

const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));
