// A flash sale's BackorderLine writes alone, on PostgreSQL: each round inserts ROUND new lines
// (pending, as insertNewLines does) and then writes their derived columns with
// updateDerivedLines' statement (UPDATE … FROM (VALUES …)), until the shop has LINES lines.
// Variants, each on a database of its own, alternated N times: how many lines an UPDATE takes
// (70, as the SQLite-sized chunk did, or 1,000), the table never analysed (a bench's, or a new
// install's first sale: autovacuum analyses after a minute) or analysed over other shops' lines
// first (a table in service), the triggers of decision 0030 on or off, and a line inserted
// already derived (one write, no UPDATE). Decision 0036.
// `npx tsx bench/line-write.ts`; knobs: LINES=10000 ROUND=250 N=2
import pg from "pg";
import { throwawayDatabase } from "./support/throwaway-database.ts";

const LINES = Number(process.env.LINES ?? 10_000);
const ROUND = Number(process.env.ROUND ?? 250);
const N = Number(process.env.N ?? 2);
const SHOP = "write.myshopify.com";

interface Variant {
  name: string;
  perUpdate: number;
  analysed: boolean;
  triggers: boolean;
  insertDerived: boolean;
}
const variants: Variant[] = [
  { name: "fresh, 70 a statement (main)", perUpdate: 70, analysed: false, triggers: true, insertDerived: false },
  { name: "fresh, 70, no triggers", perUpdate: 70, analysed: false, triggers: false, insertDerived: false },
  { name: "fresh, 1,000 a statement", perUpdate: 1_000, analysed: false, triggers: true, insertDerived: false },
  { name: "analysed, 70 a statement", perUpdate: 70, analysed: true, triggers: true, insertDerived: false },
  { name: "analysed, 1,000 a statement", perUpdate: 1_000, analysed: true, triggers: true, insertDerived: false },
  { name: "fresh, inserted derived", perUpdate: 0, analysed: false, triggers: true, insertDerived: true },
];

const COLUMNS = ["shop", "lineItemId", "orderId", "orderName", "orderedAt", "variantId", "title", "snapshotQuantity"];
COLUMNS.push("snapshotOpenQuantity", "quantity", "openQuantity", "state", "waitingQuantity", "backorderedAt", "updatedAt");

function lineRow(shop: string, i: number, derived: boolean): unknown[] {
  const at = new Date(1_700_000_000_000 + i * 1000);
  const waiting = derived && i % 5 !== 0;
  const state = derived ? (waiting ? "waiting" : "allocated") : "pending";
  return [shop, `${i}`, `${i}`, `#${i}`, at, `${i % 50}`, "Lamp", 1, 1, 1, 1, state, waiting ? 1 : 0, waiting ? at : null, at];
}

async function insert(c: pg.Client, rows: unknown[][]) {
  const params: unknown[] = [];
  const tuples = rows.map((r) => `(${r.map((v) => (params.push(v), `$${params.length}`)).join(", ")})`);
  await c.query(`INSERT INTO "BackorderLine" (${COLUMNS.map((k) => `"${k}"`).join(", ")}) VALUES ${tuples.join(", ")}`, params);
}

/** updateDerivedLines' statement (app/engine/recompute.server.ts), its parameters as the client binds them. */
async function update(c: pg.Client, ids: number[]) {
  const params: unknown[] = [];
  const casts = ["text", "text", "int", "text", "text", "timestamp(3)", "timestamp(3)", "timestamp(3)"];
  const tuples = ids.map((i) => {
    const waiting = i % 5 !== 0;
    const row = [`${i}`, waiting ? "waiting" : "allocated", waiting ? 1 : 0, null, null, waiting ? new Date() : null, null, null];
    return `(${row.map((v, k) => (params.push(v), `$${params.length}::${casts[k]}`)).join(", ")})`;
  });
  const n = params.length;
  params.push(SHOP, new Date());
  await c.query(
    `UPDATE "BackorderLine" SET
       "state" = v.column2, "waitingQuantity" = v.column3, "locationId" = v.column4, "waitingParts" = v.column5,
       "backorderedAt" = COALESCE(v.column6, "BackorderLine"."backorderedAt"),
       "allocatedAt" = COALESCE(v.column7, "BackorderLine"."allocatedAt"),
       "fulfilledAt" = COALESCE(v.column8, "BackorderLine"."fulfilledAt"),
       "updatedAt" = $${n + 2}::timestamp(3)
     FROM (VALUES ${tuples.join(", ")}) AS v
     WHERE "BackorderLine"."shop" = $${n + 1} AND "BackorderLine"."lineItemId" = v.column1`,
    params,
  );
}

async function run(v: Variant): Promise<{ insertMs: number; updateMs: number }> {
  const database = await throwawayDatabase("postgres", "linewrite");
  const c = new pg.Client({ connectionString: database.url });
  await c.connect();
  try {
    if (!v.triggers) await c.query(`ALTER TABLE "BackorderLine" DISABLE TRIGGER USER`);
    if (v.analysed) {
      // Other shops' lines, analysed: the statistics of a table in service.
      for (let s = 0; s < 4; s++)
        for (let i = 0; i < LINES / 4; i += 500)
          await insert(
            c,
            Array.from({ length: 500 }, (_, k) => lineRow(`other-${s}.myshopify.com`, i + k, true)),
          );
      await c.query(`ANALYZE "BackorderLine"`);
    }
    let insertMs = 0;
    let updateMs = 0;
    for (let from = 0; from < LINES; from += ROUND) {
      const ids = Array.from({ length: ROUND }, (_, k) => from + k);
      let t = performance.now();
      await c.query("BEGIN");
      await insert(
        c,
        ids.map((i) => lineRow(SHOP, i, v.insertDerived)),
      );
      insertMs += performance.now() - t;
      t = performance.now();
      if (!v.insertDerived) for (let i = 0; i < ids.length; i += v.perUpdate) await update(c, ids.slice(i, i + v.perUpdate));
      await c.query("COMMIT");
      updateMs += performance.now() - t;
    }
    return { insertMs, updateMs };
  } finally {
    await c.end();
    await database.drop();
  }
}

const results = new Map<string, { insertMs: number; updateMs: number }[]>();
for (let n = 0; n < N; n++) for (const v of variants) results.set(v.name, [...(results.get(v.name) ?? []), await run(v)]);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${LINES} lines, ${ROUND} new a round; ms per line (median of ${N}): insert, update (+ commit), both`);
for (const v of variants) {
  const r = results.get(v.name)!;
  const ins = median(r.map((x) => x.insertMs)) / LINES;
  const upd = median(r.map((x) => x.updateMs)) / LINES;
  console.log(`${v.name.padEnd(32)} ${ins.toFixed(3)}  ${upd.toFixed(3)}  ${(ins + upd).toFixed(3)}`);
}
