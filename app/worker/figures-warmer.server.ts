// Keeps each shop's figures snapshots warm (docs/decisions/0032-warm-figures-and-located-planning.md),
// so the merchant's first visit to the dashboard or the planning page reads a snapshot instead
// of computing the aggregates inline. In the worker process, on a thread of its own with its
// own database client (figures-thread.server.ts, decision 0034), never on a request:
// - a chunk that changed a shop's queue marks the shop (once the chunk has committed);
//   a marked shop's snapshots are recomputed at most once per `minIntervalMs` (whoever made the
//   last one: the snapshot's own asOf decides, across processes), so a busy shop costs one
//   recomputation per interval whatever its event rate;
// - a sweep (at start, then every `sweepMs`) marks every installed shop whose default
//   snapshots are missing (a fresh install, a shop back after uninstalling) or older than
//   `maxAgeMs`, and a shop's new day (its plans count from "today") marks it too;
// - a pass works for at most PASS_BUDGET_MS, changed shops first, and leaves the rest to the
//   next pass, so the marks posted meanwhile are not left behind a long sweep.
// The web's fallbacks stay: without a worker, snapshotOf computes inline or after the response.
import type { Db } from "../db/client.server.ts";
import { FRESH_MS, MAX_AGE_MS, refreshSnapshot } from "../admin/figures-snapshot.server.ts";
import { defaultKeysFor, figureSetOf, keysToWarm } from "../admin/figures-sets.server.ts";

/** At most one recomputation per shop (and figure set) per this long: the snapshot's "fresh" age. */
export const WARM_MIN_INTERVAL_MS = FRESH_MS;
/** How often installed shops are looked over for missing or old snapshots. */
export const WARM_SWEEP_MS = 60_000;
/** The sweep refreshes snapshots older than this: well before MAX_AGE_MS, after which a page computes inline. */
export const WARM_MAX_AGE_MS = MAX_AGE_MS / 4;
/** Work of one pass before it yields to the next one. */
const PASS_BUDGET_MS = 2_000;

export interface FiguresWarmerOptions {
  minIntervalMs?: number;
  sweepMs?: number;
  maxAgeMs?: number;
  now?: () => Date;
  log?: (line: string) => void;
}

export interface WarmPass {
  /** Shops whose snapshots were recomputed in this pass. */
  refreshed: string[];
  /** Shops still marked (debounced, over the budget, or failed for now). */
  waiting: number;
}

export class FiguresWarmer {
  /** Changed in a transaction not yet known to have committed. */
  private readonly pending = new Set<string>();
  /** Marked shops, in the order marked (changed shops before swept ones), with when each may next be refreshed. */
  private readonly marked = new Map<string, number>();
  /** When this process last refreshed each shop (saves a read per pass of a debounced shop). */
  private readonly lastRefresh = new Map<string, number>();
  private lastSweep = -Infinity;
  private readonly minIntervalMs: number;
  private readonly sweepMs: number;
  private readonly maxAgeMs: number;
  private readonly now: () => Date;
  private readonly log: (line: string) => void;

  constructor(
    private readonly db: Db,
    opts: FiguresWarmerOptions = {},
  ) {
    this.minIntervalMs = opts.minIntervalMs ?? WARM_MIN_INTERVAL_MS;
    this.sweepMs = opts.sweepMs ?? WARM_SWEEP_MS;
    this.maxAgeMs = opts.maxAgeMs ?? WARM_MAX_AGE_MS;
    this.now = opts.now ?? (() => new Date());
    this.log = opts.log ?? ((l) => console.error(l));
  }

  /** Inside a chunk's transaction: the shop's queue changed. */
  changed(shop: string): void {
    this.pending.add(shop);
  }

  /** After that transaction committed: its shops are due (a refresh before the commit would miss the change). Returns true when some shop was marked. */
  committed(): boolean {
    if (this.pending.size === 0) return false;
    for (const shop of this.pending) this.mark(shop);
    this.pending.clear();
    return true;
  }

  /** Marks a shop to refresh (as soon as its interval allows). */
  mark(shop: string): void {
    if (this.marked.has(shop)) return;
    this.marked.set(shop, (this.lastRefresh.get(shop) ?? -Infinity) + this.minIntervalMs);
  }

  /** Nothing marked, pending or being refreshed: every change this worker committed is in the snapshots. */
  get idle(): boolean {
    return this.pending.size === 0 && this.marked.size === 0 && !this.inPass;
  }
  private inPass = false;

  /** One pass: the sweep when due, then the marked shops whose interval has passed, within the budget. */
  async pass(): Promise<WarmPass> {
    this.inPass = true;
    try {
      return await this.passOnce();
    } finally {
      this.inPass = false;
    }
  }

  private async passOnce(): Promise<WarmPass> {
    const started = Date.now();
    if (Number.isFinite(this.sweepMs) && this.now().getTime() - this.lastSweep >= this.sweepMs) {
      this.lastSweep = this.now().getTime();
      for (const shop of await this.shopsToSweep(this.now())) this.mark(shop);
    }
    const refreshed: string[] = [];
    for (const [shop, dueAt] of [...this.marked]) {
      if (Date.now() - started > PASS_BUDGET_MS) break;
      const now = this.now();
      if (now.getTime() < dueAt) continue;
      this.marked.delete(shop);
      try {
        if (await this.refreshShop(shop, now)) refreshed.push(shop);
      } catch (e) {
        // Kept marked for the next interval; the old snapshots stay and the pages fall back as without a worker.
        this.log(`[worker] figures of ${shop}: ${(e as Error).message.split("\n").pop()}`);
        this.lastRefresh.set(shop, now.getTime());
        this.mark(shop);
      }
    }
    return { refreshed, waiting: this.marked.size };
  }

  /** Every known figure set of the shop; true when all are now fresh. A set refreshed elsewhere within the interval keeps the shop marked. */
  private async refreshShop(shop: string, now: Date): Promise<boolean> {
    let done = true;
    for (const key of await keysToWarm(this.db, shop)) {
      const compute = figureSetOf(this.db, shop, key);
      if (!compute) continue;
      const outcome = await refreshSnapshot(this.db, shop, key, compute, { now, minAgeMs: this.minIntervalMs });
      if (outcome !== "refreshed") done = false;
    }
    this.lastRefresh.set(shop, now.getTime());
    if (!done) this.mark(shop);
    return done;
  }

  /** Installed shops whose default snapshots are missing or older than maxAgeMs, or any of whose snapshots is. */
  private async shopsToSweep(now: Date): Promise<string[]> {
    const shops = await this.db.shopSettings.findMany({ where: { uninstalledAt: null }, select: { shop: true, currency: true } });
    const out: string[] = [];
    const oldBefore = new Date(now.getTime() - this.maxAgeMs);
    for (let i = 0; i < shops.length; i += 500) {
      const slice = shops.slice(i, i + 500);
      const ids = slice.map((s) => s.shop);
      const rows = await this.db.figuresSnapshot.findMany({ where: { shop: { in: ids } }, select: { shop: true, key: true, asOf: true } });
      const byShop = new Map<string, Map<string, Date>>();
      for (const r of rows) {
        const keys = byShop.get(r.shop) ?? new Map<string, Date>();
        keys.set(r.key, r.asOf);
        byShop.set(r.shop, keys);
      }
      for (const { shop, currency } of slice) {
        const keys = byShop.get(shop) ?? new Map<string, Date>();
        const defaults = defaultKeysFor(currency);
        const missing = defaults.some((k) => !keys.has(k));
        const old = [...keys].some(([k, asOf]) => asOf < oldBefore && figureSetOf(this.db, shop, k) !== null);
        if (missing || old) out.push(shop);
      }
    }
    return out;
  }
}
