// The install's catalog sync of a large shop: a bulk operation (the app's way for a catalog
// of more than one page) against the paged read it replaces, both from the Admin API
// stand-in in its own process (so the figures are the app's), into a throw-away database.
// Reports wall time, JSONL lines / pages, and the app process's peak RSS and JS heap per way.
//   npx tsx bench/catalog-sync.ts [sqlite|postgres]
//   knobs: VARIANTS=50000 PER_PRODUCT=5 MODES=bulk,paged; NODE_OPTIONS=--expose-gc adds the heap left after the sync
// The paged read runs with an unthrottled stand-in bucket: Shopify would also make it wait
// for its rate limit, which is computed (not slept) from the cost Shopify would charge.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createDb } from "../app/db/client.server.ts";
import { createGatewayFactory } from "../app/shopify/gateway.server.ts";
import { runCatalogSync, type CatalogSyncResult } from "../app/sync/catalog-sync.server.ts";
import { AdminStandin } from "../dev/admin-standin/server.ts";
import { installOfflineSession } from "../dev/admin-standin/install.ts";
import { throwawayDatabase, type BenchProvider } from "./support/throwaway-database.ts";

const SHOP = "large-catalog.myshopify.com";
const VARIANTS = Number(process.env.VARIANTS ?? 50_000);
const PER_PRODUCT = Number(process.env.PER_PRODUCT ?? 5);
/** Every variant at the warehouse, every other one at the store too. */
const LEVELS = VARIANTS + Math.floor(VARIANTS / 2);

if (process.argv[2] === "standin") {
  // The stand-in's own process: the shop, then its address and token to the parent.
  const standin = new AdminStandin({ restoreRate: 1e9 });
  const shop = standin.addShop({ domain: SHOP });
  shop.addLocation(1, "Warehouse");
  shop.addLocation(2, "Store");
  for (let p = 0; p * PER_PRODUCT < VARIANTS; p++) {
    const variants = [];
    for (let v = 0; v < PER_PRODUCT && p * PER_PRODUCT + v < VARIANTS; v++) {
      const n = p * PER_PRODUCT + v;
      variants.push({
        id: 10_000_000 + n,
        inventoryItemId: 20_000_000 + n,
        title: `Size ${v}`,
        sku: `SKU-${n}`,
        price: "19.00",
        stock: n % 2 ? { 1: n % 7, 2: 1 } : { 1: n % 7 },
      });
    }
    shop.addProduct({ id: 1_000_000 + p, title: `Product ${p}`, tags: ["bench"], updatedAt: "2026-11-01T00:00:00Z", variants });
  }
  const origin = await standin.listen();
  process.send!({ origin, token: shop.accessToken });
  process.on("message", () => void standin.close().then(() => process.exit(0)));
} else {
  await main();
}

async function main() {
  const provider: BenchProvider = process.argv[2] === "postgres" ? "postgres" : "sqlite";
  const modes = (process.env.MODES ?? "bulk,paged").split(",") as ("bulk" | "paged")[];
  const child = fork(fileURLToPath(import.meta.url), ["standin"], { execArgv: process.execArgv, env: process.env });
  const { origin, token } = await new Promise<{ origin: string; token: string }>((resolve) =>
    child.once("message", (m) => resolve(m as { origin: string; token: string })),
  );
  console.log(`catalog sync bench: ${VARIANTS} variants (${LEVELS} inventory levels) on ${provider}, stand-in at ${origin}`);

  try {
    for (const mode of modes) {
      const database = await throwawayDatabase(provider, `catalog_${mode}`);
      const db = createDb(database.url);
      try {
        await installOfflineSession(db, SHOP, token);
        const gateways = createGatewayFactory(db, { origin });
        let peak = process.memoryUsage().rss;
        let heapPeak = process.memoryUsage().heapUsed;
        const sampler = setInterval(() => {
          const m = process.memoryUsage();
          peak = Math.max(peak, m.rss);
          heapPeak = Math.max(heapPeak, m.heapUsed);
        }, 50);
        const before = peak;
        const t0 = performance.now();
        let result: CatalogSyncResult;
        try {
          result = await runCatalogSync(db, gateways(SHOP), SHOP, new Date(), { mode });
        } finally {
          clearInterval(sampler);
        }
        const seconds = (performance.now() - t0) / 1000;
        peak = Math.max(peak, process.memoryUsage().rss);
        // With NODE_OPTIONS=--expose-gc: what the sync left behind, garbage collected (a peak includes garbage not yet collected).
        const gc = (globalThis as { gc?: () => void }).gc;
        gc?.();
        const retained = gc ? `, after a GC ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB` : "";
        const variants = await db.variant.count({ where: { shop: SHOP } });
        const levels = await db.inventoryLevel.count({ where: { shop: SHOP } });
        const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
        console.log(
          `\n${mode}: ${seconds.toFixed(1)} s, ${result.via === "bulk" ? `${result.lines} JSONL lines in ${result.pages} chunks` : `${result.pages} pages`}`,
        );
        console.log(
          `  stored ${variants} variants, ${levels} levels; RSS before ${mib(before)}, peak ${mib(peak)}; JS heap used peak ${mib(heapPeak)}${retained}`,
        );
        if (mode === "paged") {
          // What Shopify would add: each page's requested cost (CATALOG_VARIANTS: ~877 points) at its restore rate.
          const cost = 877;
          const minutes = (rate: number) => Math.round((result.pages * cost) / rate / 60);
          console.log(
            `  Shopify's rate limit alone: ${minutes(100)} min at 100 points/s (standard), ${minutes(1000)} min at 1,000 points/s (Plus)`,
          );
        }
        if (variants !== VARIANTS || levels !== LEVELS) {
          console.error(`expected ${VARIANTS} variants and ${LEVELS} levels`);
          process.exitCode = 1;
        }
      } finally {
        await db.$disconnect();
        await database.drop();
      }
    }
  } finally {
    child.send("stop");
  }
}
