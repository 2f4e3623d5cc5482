// The planning page's loader as main had it before docs/decisions/0022-admin-figures-speed.md
// (main at 4ec5827), kept so bench/admin-queue.ts can time it beside the current one in the
// same run. Not used by the app; names come from the app's own withNames.
// The planning page's data: per variant, the queue, the demand, the batches ahead, and
// what app/backorder/planning.ts makes of them. The database does the per-variant sums
// (a few GROUP BY queries, no line lists); names are read for the rows shown only.
import { addDays, calendarDate, fromCalendarDate, type IncomingUnits } from "../../app/backorder/eta.ts";
import {
  demandFromTotals,
  orderAdvice,
  planningRate,
  projectQueue,
  queueClearDate,
  riskReasons,
  type RiskReason,
} from "../../app/backorder/planning.ts";
import type { Db, Tx } from "../../app/db/client.server.ts";
import { COVER_DAYS_DEFAULT, type PlanningFilter } from "../../app/admin/planning-format.ts";
import { loadShopDefaults, shopToday } from "../../app/admin/shop-context.server.ts";
import { SqlParams, dialectOf, num, rawQuery } from "../../app/admin/sql.server.ts";
import { withNames, type PlanningOverview, type VariantPlan } from "../../app/admin/planning.server.ts";

const PAGE_SIZE = 50;

interface Inputs {
  today: string;
  defaultLeadTimeDays: number;
  waiting: Map<string, { units: number; lines: number; overdue: number }>;
  demand: Map<string, { u7: number; u28: number }>;
  batches: Map<string, IncomingUnits[]>;
  policies: Map<string, { restockDate: string | null; leadTimeDays: number | null }>;
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
  // Backorder demand: units of the lines that went short, by the day they did.
  const demandSql = `SELECT "variantId" AS "v", SUM(CASE WHEN "backorderedAt" >= ${pd.p(since7)} THEN "quantity" ELSE 0 END) AS "u7",
         SUM("quantity") AS "u28"
       FROM "BackorderLine" WHERE "shop" = ${pd.p(shop)} AND "backorderedAt" >= ${pd.p(since28)}${one(pd)} GROUP BY "variantId"`;
  const pb = new SqlParams(dialect);
  const batchSql = `SELECT "variantId" AS "v", "arrivesOn" AS "d", "quantity" AS "q" FROM "IncomingBatch"
       WHERE "shop" = ${pb.p(shop)} AND "arrivesOn" >= ${pb.p(fromCalendarDate(today))}${one(pb)} ORDER BY "arrivesOn", "id"`;
  const pp = new SqlParams(dialect);
  const policySql = `SELECT "variantId" AS "v", "restockDate" AS "r", "leadTimeDays" AS "l" FROM "VariantPolicy"
       WHERE "shop" = ${pp.p(shop)}${one(pp)}`;
  const [waitingRows, demandRows, batchRows, policyRows] = await Promise.all([
    rawQuery<{ v: string; u: unknown; n: unknown; o: unknown }>(client, pw, waitingSql),
    rawQuery<{ v: string; u7: unknown; u28: unknown }>(client, pd, demandSql),
    rawQuery<{ v: string; d: unknown; q: unknown }>(client, pb, batchSql),
    rawQuery<{ v: string; r: unknown; l: unknown }>(client, pp, policySql),
  ]);
  const batches = new Map<string, IncomingUnits[]>();
  for (const b of batchRows) {
    const list = batches.get(b.v) ?? [];
    list.push({ date: calendarDate(asDate(b.d))!, quantity: num(b.q) });
    batches.set(b.v, list);
  }
  return {
    today,
    defaultLeadTimeDays: defaults.defaultLeadTimeDays,
    waiting: new Map(waitingRows.map((r) => [r.v, { units: num(r.u), lines: num(r.n), overdue: num(r.o) }])),
    demand: new Map(demandRows.map((r) => [r.v, { u7: num(r.u7), u28: num(r.u28) }])),
    batches,
    policies: new Map(
      policyRows.map((r) => [
        r.v,
        { restockDate: r.r === null ? null : calendarDate(asDate(r.r)), leadTimeDays: r.l === null ? null : num(r.l) },
      ]),
    ),
  };
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
  const next = projectQueue(w.units, rate, batches, inputs.today)[0];
  return {
    byLocation: null,
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
    clearsOn: queueClearDate(w.units, rate, batches, inputs.today),
    advice: orderAdvice({ waitingUnits: w.units, rate, batches, leadTimeDays, coverDays, today: inputs.today }),
    risks: riskReasons({ waitingUnits: w.units, overduePromises: w.overdue, rate, batches, restockDate, today: inputs.today }),
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
  const { today, plans } = await loadPlans(client, shop, now, coverDays);
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
