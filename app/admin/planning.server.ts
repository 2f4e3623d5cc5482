// The planning page's data: per variant, the queue, the demand, the batches ahead, and
// what app/backorder/planning.ts makes of them. The database does the per-variant sums
// (a few GROUP BY queries, no line lists); names are read for the rows shown only.
import { addDays, calendarDate, fromCalendarDate, type IncomingUnits } from "../backorder/eta.ts";
import {
  demandFromTotals,
  orderAdvice,
  planningRate,
  projectQueue,
  queueClearDate,
  riskReasons,
  type Demand,
  type OrderAdvice,
  type RiskReason,
  waitingByDay,
} from "../backorder/planning.ts";
import type { Db, Tx } from "../db/client.server.ts";
import { inChunks } from "../db/chunks.ts";
import { enqueueTasks } from "../sync/tasks.server.ts";
import {
  checkBatch,
  BATCHES_PER_VARIANT_MAX,
  parseBatchImport,
  type BatchInput,
  type BatchField,
  type BatchValue,
  type ImportError,
} from "./incoming-batches.ts";
import { COVER_DAYS_DEFAULT, type PlanningFilter } from "./planning-format.ts";
import { loadShopDefaults, shopToday } from "./shop-context.server.ts";
import { dropSnapshots, snapshotOf, type SnapshotOptions } from "./figures-snapshot.server.ts";
import { SqlParams, dialectOf, indexedBy, num, rawQuery } from "./sql.server.ts";
import { LINE_STATE } from "../backorder/line-state.ts";
import {
  locatedClearDate,
  locationPlans,
  projectLocatedQueue,
  type LocatedPoint,
  type LocatedQueue,
  type LocationPlan,
} from "../backorder/located-planning.ts";

const PAGE_SIZE = 50;
/** Snapshot keys of the plans, by cover days (figures-snapshot.server.ts). */
export const PLANS_KEY = "plans:";
export const plansKey = (coverDays: number) => `${PLANS_KEY}${coverDays}`;

export interface VariantPlan {
  variantId: string;
  waitingUnits: number;
  waitingLines: number;
  overduePromises: number;
  demand: Demand;
  /** Units per day planning assumes (planningRate). */
  rate: number;
  batches: IncomingUnits[];
  incomingUnits: number;
  restockDate: string | null;
  leadTimeDays: number;
  nextBatch: { day: string; quantity: number; queueBefore: number } | null;
  clearsOn: string | null;
  advice: OrderAdvice;
  risks: RiskReason[];
  /**
   * In a shop with more than one location: each location's waiting units and the date its own
   * queue clears (located-planning.ts; the locationId null row: units at no location yet), and
   * nextBatch, clearsOn and the risks follow each location's lines. null with one location.
   */
  byLocation: LocationPlan[] | null;
}

export interface NamedPlan extends VariantPlan {
  title: string;
  sku: string | null;
}

export interface PlanningOverview {
  today: string;
  coverDays: number;
  totals: { variants: number; waitingUnits: number; toOrder: number; variantsToOrder: number };
  risks: Record<RiskReason, number>;
  filter: PlanningFilter;
  page: number;
  pages: number;
  rows: NamedPlan[];
}

interface Inputs {
  today: string;
  defaultLeadTimeDays: number;
  waiting: Map<string, { units: number; lines: number; overdue: number }>;
  demand: Map<string, { u7: number; u28: number }>;
  batches: Map<string, IncomingUnits[]>;
  policies: Map<string, { restockDate: string | null; leadTimeDays: number | null }>;
  /** Waiting units per location (placed or not) of each variant; null when the shop has fewer than two locations. */
  located: Map<string, LocationUnitsRow[]> | null;
}

interface LocationUnitsRow {
  locationId: string;
  placed: number;
  unplaced: number;
}

/** Everything the plans of a shop's variants need, in five queries (optionally for one variant). */
async function loadInputs(client: Db | Tx, shop: string, now: Date, variantId?: string): Promise<Inputs> {
  const defaults = await loadShopDefaults(client, shop);
  const today = shopToday(defaults, now);
  const dialect = dialectOf(client);
  const one = (p: SqlParams) => (variantId === undefined ? "" : ` AND "variantId" = ${p.p(variantId)}`);
  const since28 = fromCalendarDate(addDays(today, -27));
  const since7 = fromCalendarDate(addDays(today, -6));
  const pw = new SqlParams(dialect);
  const waitingSql = `SELECT "variantId" AS "v", SUM("waitingQuantity") AS "u", COUNT(*) AS "n",
         SUM(CASE WHEN "promisedShipDate" < ${pw.p(today)} THEN 1 ELSE 0 END) AS "o"
       FROM "BackorderLine" WHERE "shop" = ${pw.p(shop)} AND "state" = 'waiting'${one(pw)} GROUP BY "variantId"`;
  const pd = new SqlParams(dialect);
  // Backorder demand: units of the lines that went short, by the day they did. The shop's
  // demand reads the 28 days' range of the window index (indexedBy: SQLite would otherwise
  // walk every line the shop ever had in variant order); one variant's, its own lines.
  const demandSql = `SELECT "variantId" AS "v", SUM(CASE WHEN "backorderedAt" >= ${pd.p(since7)} THEN "quantity" ELSE 0 END) AS "u7",
         SUM("quantity") AS "u28"
       FROM "BackorderLine"${variantId === undefined ? indexedBy(dialect, "BackorderLine_window_idx") : ""}
      WHERE "shop" = ${pd.p(shop)} AND "backorderedAt" >= ${pd.p(since28)}${one(pd)} GROUP BY "variantId"`;
  const pb = new SqlParams(dialect);
  const batchSql = `SELECT "variantId" AS "v", "arrivesOn" AS "d", "quantity" AS "q", "locationId" AS "l" FROM "IncomingBatch"
       WHERE "shop" = ${pb.p(shop)} AND "arrivesOn" >= ${pb.p(fromCalendarDate(today))}${one(pb)} ORDER BY "arrivesOn", "id"`;
  const pp = new SqlParams(dialect);
  const policySql = `SELECT "variantId" AS "v", "restockDate" AS "r", "leadTimeDays" AS "l" FROM "VariantPolicy"
       WHERE "shop" = ${pp.p(shop)}${one(pp)}`;
  const [waitingRows, demandRows, batchRows, policyRows, located] = await Promise.all([
    rawQuery<{ v: string; u: unknown; n: unknown; o: unknown }>(client, pw, waitingSql),
    rawQuery<{ v: string; u7: unknown; u28: unknown }>(client, pd, demandSql),
    rawQuery<{ v: string; d: unknown; q: unknown; l: string | null }>(client, pb, batchSql),
    rawQuery<{ v: string; r: unknown; l: unknown }>(client, pp, policySql),
    loadLocated(client, shop, variantId),
  ]);
  const batches = new Map<string, IncomingUnits[]>();
  for (const b of batchRows) {
    const list = batches.get(b.v) ?? [];
    list.push({ date: calendarDate(asDate(b.d))!, quantity: num(b.q), locationId: b.l ?? null });
    batches.set(b.v, list);
  }
  return {
    today,
    defaultLeadTimeDays: defaults.defaultLeadTimeDays,
    waiting: new Map(waitingRows.map((r) => [r.v, { units: num(r.u), lines: num(r.n), overdue: num(r.o) }])),
    demand: new Map(demandRows.map((r) => [r.v, { u7: num(r.u7), u28: num(r.u28) }])),
    batches,
    located,
    policies: new Map(
      policyRows.map((r) => [
        r.v,
        { restockDate: r.r === null ? null : calendarDate(asDate(r.r)), leadTimeDays: r.l === null ? null : num(r.l) },
      ]),
    ),
  };
}

/**
 * Waiting units per variant, location and placed-or-not, for a shop with two locations or
 * more (one with a single location is planned as one pool, as before: null). Lines short at no
 * known location are not listed (the variant's waiting units less these).
 */
async function loadLocated(client: Db | Tx, shop: string, variantId?: string): Promise<Map<string, LocationUnitsRow[]> | null> {
  const locations = await client.inventoryLevel.groupBy({ by: ["locationId"], where: { shop }, orderBy: { locationId: "asc" }, take: 2 });
  if (locations.length < 2) return null;
  const p = new SqlParams(dialectOf(client));
  const placed = `CASE WHEN "assignedLocationId" = "locationId" THEN 1 ELSE 0 END`;
  const rows = await rawQuery<{ v: string; l: string; p: unknown; u: unknown }>(
    client,
    p,
    `SELECT "variantId" AS "v", "locationId" AS "l", ${placed} AS "p", SUM("waitingQuantity") AS "u"
       FROM "BackorderLine"
      WHERE "shop" = ${p.p(shop)} AND "state" = '${LINE_STATE.waiting}' AND "locationId" IS NOT NULL${
        variantId === undefined ? "" : ` AND "variantId" = ${p.p(variantId)}`
      }
      GROUP BY "variantId", "locationId", ${placed}`,
  );
  const out = new Map<string, LocationUnitsRow[]>();
  for (const r of rows) {
    const list = out.get(r.v) ?? [];
    let at = list.find((x) => x.locationId === r.l);
    if (!at) list.push((at = { locationId: r.l, placed: 0, unplaced: 0 }));
    if (num(r.p) === 1) at.placed += num(r.u);
    else at.unplaced += num(r.u);
    out.set(r.v, list);
  }
  for (const list of out.values()) list.sort((a, b) => (a.locationId < b.locationId ? -1 : a.locationId > b.locationId ? 1 : 0));
  return out;
}

/** The variant's waiting units per location (the units no location holds: the rest of its queue); null in a one-location shop. */
function locatedQueueOf(variantId: string, waitingUnits: number, inputs: Inputs): LocatedQueue | null {
  if (inputs.located === null) return null;
  const locations = inputs.located.get(variantId) ?? [];
  const placedSomewhere = locations.reduce((s, l) => s + l.placed + l.unplaced, 0);
  return { locations, unlocated: Math.max(0, waitingUnits - placedSomewhere) };
}

/** Raw DateTime columns: a Date (PostgreSQL), an ISO string or epoch milliseconds (SQLite through libsql). */
function asDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === "number" || typeof value === "bigint") return new Date(Number(value));
  const s = String(value);
  return /^\d+$/.test(s) ? new Date(Number(s)) : new Date(s.includes("T") || s.endsWith("Z") ? s : `${s.replace(" ", "T")}Z`);
}

function planOf(variantId: string, inputs: Inputs, coverDays: number): VariantPlan {
  const w = inputs.waiting.get(variantId) ?? { units: 0, lines: 0, overdue: 0 };
  const d = inputs.demand.get(variantId) ?? { u7: 0, u28: 0 };
  const policy = inputs.policies.get(variantId);
  const batches = inputs.batches.get(variantId) ?? [];
  const demand = demandFromTotals(d.u7, d.u28);
  const rate = planningRate(demand);
  const leadTimeDays = policy?.leadTimeDays ?? inputs.defaultLeadTimeDays;
  const restockDate = policy?.restockDate ?? null;
  const located = locatedQueueOf(variantId, w.units, inputs);
  const projection = located
    ? projectLocatedQueue(located, rate, batches, inputs.today)
    : projectQueue(w.units, rate, batches, inputs.today);
  const next = projection[0];
  return {
    variantId,
    waitingUnits: w.units,
    waitingLines: w.lines,
    overduePromises: w.overdue,
    demand,
    rate,
    batches,
    incomingUnits: batches.reduce((s, b) => s + b.quantity, 0),
    restockDate,
    leadTimeDays,
    nextBatch: next ? { day: next.day, quantity: next.arriving, queueBefore: next.before } : null,
    clearsOn: located ? locatedClearDate(located, rate, batches, inputs.today) : queueClearDate(w.units, rate, batches, inputs.today),
    advice: orderAdvice({ waitingUnits: w.units, rate, batches, leadTimeDays, coverDays, today: inputs.today }),
    risks: riskReasons({ waitingUnits: w.units, overduePromises: w.overdue, rate, batches, restockDate, today: inputs.today, projection }),
    byLocation: located ? locationPlans(located, rate, batches, inputs.today) : null,
  };
}

/** Plans of every variant with units waiting, demand in the last 28 days or batches ahead. */
export async function loadPlans(client: Db | Tx, shop: string, now: Date, coverDays: number) {
  const inputs = await loadInputs(client, shop, now);
  const ids = new Set([...inputs.waiting.keys(), ...inputs.demand.keys(), ...inputs.batches.keys()]);
  return { today: inputs.today, plans: [...ids].map((id) => planOf(id, inputs, coverDays)) };
}

const matches = (p: VariantPlan, filter: PlanningFilter): boolean =>
  filter === "all"
    ? true
    : filter === "at-risk"
      ? p.risks.length > 0
      : filter === "to-order"
        ? p.advice.quantity > 0
        : p.risks.includes(filter);

export async function loadPlanningOverview(
  client: Db | Tx,
  shop: string,
  { now = new Date(), coverDays = COVER_DAYS_DEFAULT, filter = "at-risk" as PlanningFilter, page = 1 } = {},
): Promise<PlanningOverview> {
  return overviewOf(client, shop, await loadPlans(client, shop, now, coverDays), { coverDays, filter, page });
}

/**
 * The planning page as of the plans' snapshot (figures-snapshot.server.ts): the plans of
 * every variant come from the snapshot, the filter, page and names are applied on each load.
 */
export async function loadPlanningSnapshot(
  client: Db,
  shop: string,
  { coverDays = COVER_DAYS_DEFAULT, filter = "at-risk" as PlanningFilter, page = 1 } = {},
  options: SnapshotOptions = {},
): Promise<PlanningOverview & { asOf: Date; refreshing: Promise<void> | null }> {
  const snap = await snapshotOf(client, shop, plansKey(coverDays), (now) => loadPlans(client, shop, now, coverDays), options);
  const overview = await overviewOf(client, shop, snap.value, { coverDays, filter, page });
  return { ...overview, asOf: snap.asOf, refreshing: snap.refreshing };
}

async function overviewOf(
  client: Db | Tx,
  shop: string,
  { today, plans }: { today: string; plans: VariantPlan[] },
  { coverDays, filter, page }: { coverDays: number; filter: PlanningFilter; page: number },
): Promise<PlanningOverview> {
  const risks: Record<RiskReason, number> = { "promise-passed": 0, "outgrows-next-batch": 0, "no-restock-date": 0 };
  for (const p of plans) for (const r of p.risks) risks[r]++;
  // Most urgent first: more reasons, then more units waiting, then more to order.
  const chosen = plans
    .filter((p) => matches(p, filter))
    .sort(
      (a, b) =>
        b.risks.length - a.risks.length ||
        b.waitingUnits - a.waitingUnits ||
        b.advice.quantity - a.advice.quantity ||
        (a.variantId < b.variantId ? -1 : 1),
    );
  const pages = Math.max(1, Math.ceil(chosen.length / PAGE_SIZE));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const rows = await withNames(client, shop, chosen.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE));
  return {
    today,
    coverDays,
    totals: {
      variants: plans.length,
      waitingUnits: plans.reduce((s, p) => s + p.waitingUnits, 0),
      toOrder: plans.reduce((s, p) => s + p.advice.quantity, 0),
      variantsToOrder: plans.filter((p) => p.advice.quantity > 0).length,
    },
    risks,
    filter,
    page: current,
    pages,
    rows,
  };
}

/** Product and variant names (the catalog; a line's title for a variant not synced yet). */
export async function withNames<T extends { variantId: string }>(
  client: Db | Tx,
  shop: string,
  plans: T[],
): Promise<(T & { title: string; sku: string | null })[]> {
  const ids = plans.map((p) => p.variantId);
  const variants = await inChunks(ids, (chunk) =>
    client.variant.findMany({
      where: { shop, variantId: { in: chunk } },
      select: { variantId: true, productTitle: true, title: true, sku: true },
    }),
  );
  const byId = new Map(variants.map((v) => [v.variantId, v]));
  const missing = ids.filter((id) => !byId.has(id));
  const lines = await Promise.all(
    missing.map((variantId) =>
      client.backorderLine.findFirst({ where: { shop, variantId }, select: { variantId: true, title: true, sku: true } }),
    ),
  );
  const lineOf = new Map(lines.filter((l) => l !== null).map((l) => [l.variantId, l]));
  return plans.map((p) => {
    const v = byId.get(p.variantId);
    const l = lineOf.get(p.variantId);
    const title = v
      ? v.title && v.title !== "Default Title"
        ? `${v.productTitle} — ${v.title}`
        : v.productTitle
      : (l?.title ?? p.variantId);
    return { ...p, title, sku: v?.sku ?? l?.sku ?? null };
  });
}

export interface BatchRow {
  id: number;
  arrivesOn: string;
  quantity: number;
  locationId: string | null;
  reference: string | null;
}

export interface VariantPlanning {
  today: string;
  coverDays: number;
  plan: NamedPlan;
  /** Every batch on file (past ones too, until the merchant removes them). */
  batchRows: BatchRow[];
  /** Units waiting at the end of each of the last 28 days (LineEvent history). */
  waitingHistory: { day: string; units: number }[];
  /** Units backordered per day over the last 28 days. */
  ordersPerDay: { day: string; units: number }[];
  /** The queue on each batch date; in a shop with several locations, each location's too (LocatedPoint). */
  projection: ({ day: string; before: number; after: number; arriving: number } & Partial<
    Pick<LocatedPoint, "locationId" | "locations">
  >)[];
}

export const HISTORY_DAYS = 28;

/** One variant's plan with its history: null when the shop has no such variant and no lines of it. */
export async function loadVariantPlanning(
  client: Db | Tx,
  shop: string,
  variantId: string,
  { now = new Date(), coverDays = COVER_DAYS_DEFAULT } = {},
): Promise<VariantPlanning | null> {
  const inputs = await loadInputs(client, shop, now, variantId);
  const from = addDays(inputs.today, -(HISTORY_DAYS - 1));
  const [known, batchRows, lines] = await Promise.all([
    client.variant.count({ where: { shop, variantId } }),
    client.incomingBatch.findMany({ where: { shop, variantId }, orderBy: [{ arrivesOn: "asc" }, { id: "asc" }] }),
    client.backorderLine.findMany({
      where: { shop, variantId, backorderedAt: { not: null } },
      select: {
        lineItemId: true,
        quantity: true,
        waitingQuantity: true,
        state: true,
        backorderedAt: true,
        allocatedAt: true,
        fulfilledAt: true,
        cancelledAt: true,
      },
    }),
  ]);
  if (known === 0 && lines.length === 0) return null;
  const events = await inChunks(
    lines.map((l) => l.lineItemId),
    (chunk) =>
      client.lineEvent.findMany({
        where: { shop, lineItemId: { in: chunk } },
        select: { lineItemId: true, at: true, waiting: true },
        orderBy: [{ at: "asc" }, { id: "asc" }],
      }),
  );
  const [plan] = await withNames(client, shop, [planOf(variantId, inputs, coverDays)]);
  const ordersByDay = new Map<string, number>();
  for (const l of lines) {
    const day = calendarDate(l.backorderedAt)!;
    if (day >= from) ordersByDay.set(day, (ordersByDay.get(day) ?? 0) + l.quantity);
  }
  return {
    today: inputs.today,
    coverDays,
    plan: plan!,
    batchRows: batchRows.map((b) => ({
      id: b.id,
      arrivesOn: calendarDate(b.arrivesOn)!,
      quantity: b.quantity,
      locationId: b.locationId,
      reference: b.reference,
    })),
    waitingHistory: waitingByDay(
      [...events.map((e) => ({ lineItemId: e.lineItemId, day: calendarDate(e.at)!, waiting: e.waiting })), ...withoutEvents(lines, events)],
      from,
      inputs.today,
    ),
    ordersPerDay: Array.from({ length: HISTORY_DAYS }, (_, i) => {
      const day = addDays(from, i);
      return { day, units: ordersByDay.get(day) ?? 0 };
    }),
    projection: (() => {
      const located = locatedQueueOf(variantId, plan!.waitingUnits, inputs);
      return located
        ? projectLocatedQueue(located, plan!.rate, plan!.batches, inputs.today)
        : projectQueue(plan!.waitingUnits, plan!.rate, plan!.batches, inputs.today);
    })(),
  };
}

export type SaveBatchesResult =
  { ok: true; saved: number } | { ok: false; errors: { row: number; field: BatchField | "form"; message: string }[] };

/**
 * Replaces a variant's batches with the list the merchant edited (rows left blank are
 * dropped), in one transaction, and queues the variant's sync so the storefront date and
 * the promised dates follow. A bad row rejects the whole list: nothing is written.
 */
export async function saveVariantBatches(
  db: Db,
  shop: string,
  variantId: string,
  rows: BatchInput[],
  now = new Date(),
): Promise<SaveBatchesResult> {
  const defaults = await loadShopDefaults(db, shop);
  const today = shopToday(defaults, now);
  const filled = rows
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => [r.arrivesOn, r.quantity, r.locationId ?? "", r.reference ?? ""].some((v) => v.trim() !== ""));
  if (filled.length > BATCHES_PER_VARIANT_MAX)
    return { ok: false, errors: [{ row: 0, field: "form", message: `At most ${BATCHES_PER_VARIANT_MAX} batches per variant.` }] };
  const errors: { row: number; field: BatchField | "form"; message: string }[] = [];
  const values: BatchValue[] = [];
  for (const { r, i } of filled) {
    const checked = checkBatch(r, today);
    if (checked.ok) values.push(checked.value);
    else for (const [field, message] of Object.entries(checked.errors)) errors.push({ row: i + 1, field: field as BatchField, message });
  }
  if (errors.length > 0) return { ok: false, errors };
  const known = await db.variant.count({ where: { shop, variantId } });
  const hasLines = known > 0 ? 1 : await db.backorderLine.count({ where: { shop, variantId } });
  if (hasLines === 0) return { ok: false, errors: [{ row: 0, field: "form", message: "This variant is not in the shop's catalog." }] };
  await db.$transaction(async (tx) => {
    await tx.incomingBatch.deleteMany({ where: { shop, variantId } });
    if (values.length > 0) {
      await tx.incomingBatch.createMany({
        data: values.map((v) => ({
          shop,
          variantId,
          arrivesOn: fromCalendarDate(v.arrivesOn),
          quantity: v.quantity,
          locationId: v.locationId,
          reference: v.reference,
        })),
      });
    }
    await enqueueTasks(tx, shop, "variant", [variantId], now);
    await dropSnapshots(tx, shop, PLANS_KEY);
  });
  return { ok: true, saved: values.length };
}

export type ImportBatchesResult = { ok: true; imported: number; variants: number } | { ok: false; errors: ImportError[] };

/** Adds the batches of a CSV file (see parseBatchImport): all of them, or none when a row is bad. */
export async function importBatches(db: Db, shop: string, text: string, now = new Date()): Promise<ImportBatchesResult> {
  const defaults = await loadShopDefaults(db, shop);
  const today = shopToday(defaults, now);
  const catalog = await db.variant.findMany({ where: { shop }, select: { variantId: true, sku: true } });
  const ids = new Set(catalog.map((v) => v.variantId));
  const bySku = new Map<string, string | null>();
  // A SKU shared by two variants names neither.
  for (const v of catalog) if (v.sku) bySku.set(v.sku.toLowerCase(), bySku.has(v.sku.toLowerCase()) ? null : v.variantId);
  const parsed = parseBatchImport(text, today, (key) =>
    "variantId" in key ? (ids.has(key.variantId) ? key.variantId : null) : (bySku.get(key.sku.toLowerCase()) ?? null),
  );
  if (!parsed.ok) return parsed;
  const variants = new Set(parsed.batches.map((b) => b.variantId));
  const existing = await inChunks([...variants], (chunk) =>
    db.incomingBatch.groupBy({ by: ["variantId"], where: { shop, variantId: { in: chunk } }, _count: { _all: true } }),
  );
  const perVariant = new Map(existing.map((e) => [e.variantId, e._count._all]));
  for (const b of parsed.batches) perVariant.set(b.variantId, (perVariant.get(b.variantId) ?? 0) + 1);
  const over = [...perVariant].filter(([, n]) => n > BATCHES_PER_VARIANT_MAX).map(([v]) => v);
  if (over.length > 0) {
    return {
      ok: false,
      errors: [
        {
          line: 0,
          message: `More than ${BATCHES_PER_VARIANT_MAX} batches for variant(s) ${over.slice(0, 5).join(", ")}: remove some first.`,
        },
      ],
    };
  }
  await db.$transaction(
    async (tx) => {
      for (let i = 0; i < parsed.batches.length; i += 500) {
        await tx.incomingBatch.createMany({
          data: parsed.batches.slice(i, i + 500).map((b) => ({
            shop,
            variantId: b.variantId,
            arrivesOn: fromCalendarDate(b.arrivesOn),
            quantity: b.quantity,
            locationId: b.locationId,
            reference: b.reference,
          })),
        });
      }
      await enqueueTasks(tx, shop, "variant", variants, now);
      // The merchant sees the plans with their batches on the next load, not a snapshot from before.
      await dropSnapshots(tx, shop, PLANS_KEY);
    },
    { timeout: 30_000 },
  );
  return { ok: true, imported: parsed.batches.length, variants: variants.size };
}

/**
 * History for lines without LineEvent rows (recorded before events were kept, or imported):
 * waiting from the day they went short until they got stock, shipped or were cancelled.
 */
function withoutEvents(
  lines: {
    lineItemId: string;
    quantity: number;
    waitingQuantity: number;
    state: string;
    backorderedAt: Date | null;
    allocatedAt: Date | null;
    fulfilledAt: Date | null;
    cancelledAt: Date | null;
  }[],
  events: { lineItemId: string }[],
) {
  const has = new Set(events.map((e) => e.lineItemId));
  return lines
    .filter((l) => !has.has(l.lineItemId) && l.backorderedAt)
    .flatMap((l) => {
      const waiting = l.state === LINE_STATE.waiting ? l.waitingQuantity : l.quantity;
      const ended = l.state === LINE_STATE.waiting ? null : (l.allocatedAt ?? l.fulfilledAt ?? l.cancelledAt);
      const start = { lineItemId: l.lineItemId, day: calendarDate(l.backorderedAt)!, waiting };
      return ended ? [start, { lineItemId: l.lineItemId, day: calendarDate(ended)!, waiting: 0 }] : [start];
    });
}
