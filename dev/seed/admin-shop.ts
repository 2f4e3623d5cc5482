// A realistic shop for the merchant admin: a catalog, backorder settings, a queue of
// lines in every state over the last two months, and a few sync problems. Deterministic
// (seeded PRNG, times relative to `now`), so screenshots and tests see the same shop.
// `lines: 100_000` makes the large shop of the queue benchmark (createMany in chunks).
//
// CLI: DATABASE_URL=file:./data/demo.sqlite npx tsx dev/seed/admin-shop.ts [shop] [lines]
import { pathToFileURL } from "node:url";
import type { Db } from "../../app/db/client.server.ts";

export interface SeedOptions {
  shop: string;
  lines?: number;
  variants?: number;
  now?: Date;
  seed?: number;
  /** Add failed sync tasks and dead webhook events (the settings page's problem list). */
  problems?: boolean;
}

export interface SeededShop {
  shop: string;
  variantIds: string[];
  lines: number;
  waitingLines: number;
}

const PRODUCTS: { title: string; options: string[]; price: string; sku: string }[] = [
  { title: "Linen Shirt", options: ["S", "M", "L", "XL"], price: "68.00", sku: "LIN" },
  { title: "Merino Beanie", options: ["Charcoal", "Oat", "Forest"], price: "34.00", sku: "MER" },
  { title: "Trail Runner", options: ["40", "41", "42", "43", "44", "45"], price: "139.00", sku: "TRL" },
  { title: "Ceramic Pour-Over", options: ["Default Title"], price: "42.50", sku: "CPO" },
  { title: "Waxed Canvas Tote", options: ["Olive", "Navy"], price: "89.00", sku: "WCT" },
  { title: "Alpaca Throw", options: ["Sand", "Slate"], price: "159.00", sku: "ALP" },
  { title: "Cast Iron Skillet", options: ['10"', '12"'], price: "74.00", sku: "CIS" },
  { title: "Wool Hiking Socks", options: ["S", "M", "L"], price: "22.00", sku: "WHS" },
];
const FIRST = [
  "Ava",
  "Noah",
  "Mia",
  "Liam",
  "Zoë",
  "Ethan",
  "Sofia",
  "Lucas",
  "Chloé",
  "Mateo",
  "Priya",
  "Kenji",
  "Amara",
  "Jonas",
  "Lea",
  "Omar",
];
const LAST = ["Martin", "Okafor", "Schmidt", "Nguyen", "García", "Rossi", "Kowalski", "Dubois", "Tanaka", "Silva", "Murphy", "Haddad"];

/** mulberry32: small, fast, deterministic. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86_400_000;
const CHUNK = 500;

export async function seedAdminShop(db: Db, opts: SeedOptions): Promise<SeededShop> {
  const { shop, lines: lineCount = 300, now = new Date(), seed = 7, problems = true } = opts;
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const base = Math.abs(hash(shop)) % 1_000_000;

  // Catalog: the product list, repeated in "editions" when more variants are asked for.
  const variantCount = opts.variants ?? PRODUCTS.reduce((n, p) => n + p.options.length, 0);
  const variants: {
    variantId: string;
    productId: string;
    productTitle: string;
    title: string;
    sku: string;
    price: string;
    inventoryItemId: string;
  }[] = [];
  for (let edition = 0; variants.length < variantCount; edition++) {
    PRODUCTS.forEach((p, pi) => {
      p.options.forEach((o, oi) => {
        if (variants.length >= variantCount) return;
        const n = variants.length;
        variants.push({
          variantId: String(44_000_000_000 + base * 1000 + n),
          productId: String(8_000_000_000 + base * 100 + edition * PRODUCTS.length + pi),
          productTitle: edition === 0 ? p.title : `${p.title} (${edition + 1})`,
          title: o,
          sku: `${p.sku}-${edition + 1}${String(oi + 1).padStart(2, "0")}`,
          price: p.price,
          inventoryItemId: String(46_000_000_000 + base * 1000 + n),
        });
      });
    });
  }
  await db.shopSettings.upsert({ where: { shop }, create: { shop, catalogSyncedAt: now }, update: {} });
  for (let i = 0; i < variants.length; i += CHUNK) {
    await db.variant.createMany({
      data: variants.slice(i, i + CHUNK).map((v) => ({ shop, ...v, inventoryPolicy: "continue", productUpdatedAt: now })),
    });
  }
  // Backorders on for most variants, a few with a limit, restock date or message of their own.
  const policies = variants.map((v, i) => ({
    shop,
    variantId: v.variantId,
    enabled: i % 7 !== 6,
    maxBackorder: i % 5 === 0 ? 40 + (i % 3) * 20 : null,
    restockDate: i % 3 === 0 ? new Date(Date.parse(now.toISOString().slice(0, 10)) + (7 + (i % 4) * 7) * DAY) : null,
    incomingQuantity: i % 3 === 0 ? 24 + (i % 4) * 12 : null,
    leadTimeDays: i % 4 === 0 ? 21 : null,
    message: i === 2 ? "Hand-knit to order — ships in about 3 weeks" : null,
    autoEnable: i % 6 === 0,
  }));
  for (let i = 0; i < policies.length; i += CHUNK) await db.variantPolicy.createMany({ data: policies.slice(i, i + CHUNK) });

  // Lines: ordered over the last 60 days, older ones more likely to be done.
  const waitingByVariant = new Map<string, number>();
  let waitingLines = 0;
  const rows = [];
  for (let i = 0; i < lineCount; i++) {
    const v = variants[Math.floor(Math.pow(random(), 1.6) * variants.length)]!; // a few variants sell most
    const ageDays = (1 - i / lineCount) * 60 + random() * 0.9;
    const orderedAt = new Date(now.getTime() - ageDays * DAY);
    const quantity = random() < 0.8 ? 1 : 2 + Math.floor(random() * 3);
    const r = random();
    const state =
      ageDays < 20
        ? r < 0.78
          ? "waiting"
          : r < 0.9
            ? "allocated"
            : "cancelled"
        : r < 0.35
          ? "waiting"
          : r < 0.5
            ? "allocated"
            : r < 0.88
              ? "fulfilled"
              : "cancelled";
    const backorderedAt = new Date(orderedAt.getTime() + 1000);
    const allocatedAt =
      state === "allocated" || state === "fulfilled"
        ? new Date(backorderedAt.getTime() + (2 + random() * Math.min(ageDays - 1, 18)) * DAY)
        : null;
    const fulfilledAt = state === "fulfilled" && allocatedAt ? new Date(allocatedAt.getTime() + (0.3 + random() * 2) * DAY) : null;
    const waitingQuantity = state === "waiting" ? (quantity > 1 && random() < 0.3 ? quantity - 1 : quantity) : 0;
    const openQuantity = state === "waiting" || state === "allocated" ? quantity : 0;
    const first = pick(FIRST);
    const last = pick(LAST);
    const orderNo = 1001 + i;
    if (state === "waiting") {
      waitingLines++;
      waitingByVariant.set(v.variantId, (waitingByVariant.get(v.variantId) ?? 0) + waitingQuantity);
    }
    rows.push({
      shop,
      lineItemId: String(13_000_000_000 + base * 1_000_000 + i),
      orderId: rowsOrderId(base, i),
      orderName: `#${orderNo}`,
      orderedAt,
      variantId: v.variantId,
      productId: v.productId,
      title: v.title === "Default Title" ? v.productTitle : `${v.productTitle} - ${v.title}`,
      sku: v.sku,
      snapshotQuantity: quantity,
      snapshotOpenQuantity: openQuantity,
      quantity,
      openQuantity,
      waitingQuantity,
      state,
      unitPrice: v.price,
      currency: i % 17 === 5 ? "CAD" : "USD",
      customerId: String(7_000_000_000 + base * 1000 + (i % 997)),
      customerName: `${first} ${last}`,
      customerEmail: `${first}.${last}@example.com`
        .toLowerCase()
        .normalize("NFD")
        .replace(/[\u0300-\u036f]/g, ""),
      cancelledAt: state === "cancelled" ? new Date(orderedAt.getTime() + (1 + random() * 5) * DAY) : null,
      backorderedAt,
      allocatedAt,
      fulfilledAt,
      notifiedAt: state === "waiting" && random() < 0.25 ? new Date(orderedAt.getTime() + DAY) : null,
    });
    if (rows.length === CHUNK) await db.backorderLine.createMany({ data: rows.splice(0) });
  }
  if (rows.length) await db.backorderLine.createMany({ data: rows });

  // Inventory: Shopify's available is minus the waiting units (the engine's own invariant).
  const levels = variants.map((v) => ({
    shop,
    inventoryItemId: v.inventoryItemId,
    locationId: "1", // REST id, as the engine stores it from webhooks
    available: -(waitingByVariant.get(v.variantId) ?? 0),
    updatedAt: now,
  }));
  for (let i = 0; i < levels.length; i += CHUNK) await db.inventoryLevel.createMany({ data: levels.slice(i, i + CHUNK) });

  if (problems) {
    await db.syncTask.createMany({
      data: [
        {
          shop,
          kind: "variant",
          targetId: variants[0]!.variantId,
          status: "failed",
          attempts: 5,
          lastError: "Throttled: Admin API cost limit exceeded (retry after 2s)",
        },
        {
          shop,
          kind: "order",
          targetId: rowsOrderId(base, 3),
          status: "failed",
          attempts: 8,
          lastError: "fulfillmentOrderHold: Fulfillment order is not in a holdable state",
        },
        { shop, kind: "variant", targetId: variants[1]!.variantId, status: "pending" },
      ],
    });
    await db.webhookInbox.createMany({
      data: [
        {
          shop,
          topic: "orders/updated",
          webhookId: `seed-dead-${base}-1`,
          payload: "{}",
          status: "dead",
          attempts: 8,
          lastError: "TypeError: Cannot read properties of undefined (reading 'line_items')",
          receivedAt: new Date(now.getTime() - 2 * DAY),
        },
        { shop, topic: "inventory_levels/update", webhookId: `seed-done-${base}-2`, payload: "{}", status: "done", attempts: 1 },
      ],
    });
  }
  return { shop, variantIds: variants.map((v) => v.variantId), lines: lineCount, waitingLines };
}

const rowsOrderId = (base: number, i: number) => String(5_000_000_000 + base * 1_000_000 + i);

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { createDb } = await import("../../app/db/client.server.ts");
  const { applyMigrations } = await import("../../app/db/apply-migrations.server.ts");
  const { databaseUrl } = await import("../../app/db/url.ts");
  const url = databaseUrl();
  await applyMigrations(url);
  const db = createDb(url);
  const shop = process.argv[2] ?? "demo-shop.myshopify.com";
  const lines = Number(process.argv[3] ?? 300);
  const existing = await db.backorderLine.count({ where: { shop } });
  if (existing > 0) console.log(`${shop} already has ${existing} lines; nothing seeded.`);
  else console.log(await seedAdminShop(db, { shop, lines }));
  await db.$disconnect();
}
