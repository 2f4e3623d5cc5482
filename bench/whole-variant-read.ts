// The whole-variant read of a flash sale's chunk (decision 0029), alone: the model findMany the
// chunk used before and the raw statement of plain rows it uses now, alternated in one process
// on a throw-away database of VARIANTS × LINES open lines, median of N runs of each.
// `npx tsx bench/whole-variant-read.ts [postgres]`; knobs: VARIANTS=50 LINES=200 N=10
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "../prisma/generated/sqlite/index.js";
import { PrismaClient as PostgresClient } from "../prisma/generated/postgres/index.js";
import type { Db } from "../app/db/client.server.ts";
import { OPEN_OR_LIVE } from "../app/engine/recompute.server.ts";
import { DERIVABLE_LINE_STATES } from "../app/backorder/line-state.ts";
import { throwawayDatabase } from "./support/throwaway-database.ts";

const provider = process.argv[2] === "postgres" ? "postgres" : "sqlite";
const VARIANTS = Number(process.env.VARIANTS ?? 50);
const LINES = Number(process.env.LINES ?? 200);
const N = Number(process.env.N ?? 10);
const SHOP = "read.myshopify.com";

const database = await throwawayDatabase(provider, "read");
const db = (provider === "postgres"
  ? new PostgresClient({ adapter: new PrismaPg({ connectionString: database.url }) })
  : new SqliteClient({ adapter: new PrismaLibSQL({ url: database.url }) })) as unknown as Db;

// A sale's end state: per variant the oldest three quarters covered, the newest waiting.
const rows = [];
for (let v = 0; v < VARIANTS; v++) {
  for (let l = 0; l < LINES; l++) {
    const waiting = l >= (LINES * 3) / 4;
    rows.push({
      shop: SHOP,
      lineItemId: `${v * 1_000_000 + l}`,
      orderId: `${v * 1_000_000 + l}`,
      orderName: `#${l}`,
      orderedAt: new Date(1_700_000_000_000 + l * 1000),
      variantId: `${v}`,
      title: "Lamp",
      snapshotQuantity: 1,
      snapshotOpenQuantity: 1,
      quantity: 1,
      openQuantity: 1,
      state: waiting ? "waiting" : "allocated",
      waitingQuantity: waiting ? 1 : 0,
      backorderedAt: waiting ? new Date(1_700_000_000_000) : null,
    });
  }
}
for (let i = 0; i < rows.length; i += 40) await db.backorderLine.createMany({ data: rows.slice(i, i + 40) });

const ids = Array.from({ length: VARIANTS }, (_, v) => `${v}`);
const columns = ["variantId", "lineItemId", "orderId", "orderedAt", "quantity", "openQuantity", "waitingQuantity"];
const more = ["cancelledAt", "state", "locationId", "assignedLocationId", "backorderedAt"];
const model = () =>
  db.backorderLine.findMany({
    where: { shop: SHOP, variantId: { in: ids }, ...OPEN_OR_LIVE },
    select: Object.fromEntries([...columns, ...more].map((c) => [c, true])),
  });
const pg = provider === "postgres";
const mark = (i: number) => (pg ? `$${i}` : "?");
const sql = `SELECT ${[...columns, ...more].map((c) => `"${c}"`).join(", ")} FROM "BackorderLine"
  WHERE "shop" = ${mark(1)} AND "variantId" IN (${ids.map((_, i) => mark(i + 2)).join(", ")})
    AND ("state" IN (${DERIVABLE_LINE_STATES.map((_, i) => mark(ids.length + 2 + i)).join(", ")})
         OR ("openQuantity" > 0 AND "cancelledAt" IS NULL))`;
const raw = () => db.$queryRawUnsafe<unknown[]>(sql, SHOP, ...ids, ...DERIVABLE_LINE_STATES);

const times = { model: [] as number[], raw: [] as number[] };
for (let i = 0; i < 3; i++) {
  // warm up
  await model();
  await raw();
}
for (let i = 0; i < N; i++) {
  let t = performance.now();
  const a = await model();
  times.model.push(performance.now() - t);
  t = performance.now();
  const b = await raw();
  times.raw.push(performance.now() - t);
  if (a.length !== rows.length || b.length !== rows.length) throw new Error(`read ${a.length} / ${b.length} of ${rows.length} lines`);
}
const median = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
console.log(
  JSON.stringify({
    provider,
    lines: rows.length,
    modelFindManyMedianMs: +median(times.model).toFixed(1),
    plainRowsMedianMs: +median(times.raw).toFixed(1),
  }),
);
await db.$disconnect();
await database.drop();
