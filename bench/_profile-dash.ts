import { performance } from "node:perf_hooks";
import * as m from "../app/admin/metrics.server.ts";
import { seedAdminShop } from "../dev/seed/admin-shop.ts";
import { createTestDatabase } from "../test/support/db.ts";
process.env.TEST_DATABASE = process.argv[2] === "postgres" ? "postgres" : "sqlite";
const SHOP = "large.myshopify.com";
const t = await createTestDatabase("bench_prof");
try {
  await seedAdminShop(t.db, { shop: SHOP, lines: 100000, variants: 5000 });
  const since = new Date(Date.now() - 90 * 86400000);
  const parts: [string, () => Promise<unknown>][] = [
    ["open", () => t.db.backorderLine.aggregate({ where: { shop: SHOP, state: "waiting" }, _count: { _all: true }, _sum: { waitingQuantity: true } })],
    ["waitingRevenue", () => m.loadWaitingRevenue(t.db, SHOP)],
    ["toAlloc", () => m.loadWaitStats(t.db, SHOP, "allocatedAt", since)],
    ["toFul", () => m.loadWaitStats(t.db, SHOP, "fulfilledAt", since)],
    ["cancel", () => m.loadCancellation(t.db, SHOP, since)],
    ["top", () => m.loadTopVariants(t.db, SHOP, since)],
    ["revenueWon", () => m.loadRevenueWon(t.db, SHOP, "USD", "week", new Date(), 84)],
  ];
  for (const [k, f] of parts) {
    await f();
    const s = performance.now();
    for (let i = 0; i < 3; i++) await f();
    console.log(k, ((performance.now() - s) / 3).toFixed(1));
  }
} finally {
  await t.drop();
}
