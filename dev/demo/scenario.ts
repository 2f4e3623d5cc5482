// The offline demo's day of trade in the demo store (dev/admin-standin/seed.ts), told
// from Shopify's side: each step changes the stand-in the way Shopify would (an order
// takes stock, a restock adds it, a cancellation puts it back) and returns the webhooks
// Shopify would then send. Ids and webhook ids are fixed, so a second run of the same
// day sends duplicates, which the app ignores.
import type { StandinShop } from "../admin-standin/state.ts";
import { DEMO_IDS } from "../admin-standin/seed.ts";
import { inventoryLevelPayload, orderPayload } from "../fixtures/shopify-payloads.ts";

export interface DemoWebhook {
  topic: string;
  payload: unknown;
  webhookId: string;
}

export type StepOutcome = { webhooks: DemoWebhook[] } | { refused: string };

export interface StepContext {
  shop: StandinShop;
  /** The day of trade, YYYY-MM-DD in the shop's time zone. */
  day: string;
  timezone: string;
  /**
   * This step already happened in an earlier run (its webhooks are in the app's inbox):
   * repeat it on Shopify's side as it was, without asking whether the checkout would pass now.
   */
  replay: boolean;
}

export interface DemoStep {
  id: string;
  /** Local time of day, HH:MM. */
  at: string;
  /** One line for the console. */
  title: string;
  /** Its checkout may depend on the app's inventory policy: let the app settle first. */
  needsSettledApp: boolean;
  run(ctx: StepContext): StepOutcome;
}

const { variants: V, locations: L } = DEMO_IDS;

/** What the demo store sells, for order lines (the seed holds the same facts). */
const CATALOG: Record<number, { product: number; title: string; variantTitle: string; sku: string; price: string }> = {
  [V.shirtS]: { product: DEMO_IDS.products.shirt, title: "Linen Shirt", variantTitle: "S", sku: "LIN-S", price: "68.00" },
  [V.shirtM]: { product: DEMO_IDS.products.shirt, title: "Linen Shirt", variantTitle: "M", sku: "LIN-M", price: "68.00" },
  [V.shirtL]: { product: DEMO_IDS.products.shirt, title: "Linen Shirt", variantTitle: "L", sku: "LIN-L", price: "68.00" },
  [V.beanieOat]: { product: DEMO_IDS.products.beanie, title: "Merino Beanie", variantTitle: "Oat", sku: "MER-OAT", price: "34.00" },
  [V.beanieForest]: { product: DEMO_IDS.products.beanie, title: "Merino Beanie", variantTitle: "Forest", sku: "MER-FOR", price: "34.00" },
  [V.pourOver]: { product: DEMO_IDS.products.pourOver, title: "Ceramic Pour-Over", variantTitle: "Default Title", sku: "CPO", price: "42.50" },
};

interface Customer {
  id: number;
  first: string;
  last: string;
  email: string;
}

const customer = (n: number, first: string, last: string): Customer => ({ id: 7_700_000_000 + n, first, last, email: `${first.toLowerCase()}@example.com` });
const C = {
  ada: customer(1, "Ada", "Lovelace"),
  grace: customer(2, "Grace", "Hopper"),
  alan: customer(3, "Alan", "Turing"),
  katherine: customer(4, "Katherine", "Johnson"),
  margaret: customer(5, "Margaret", "Hamilton"),
  edsger: customer(6, "Edsger", "Dijkstra"),
  barbara: customer(7, "Barbara", "Liskov"),
  john: customer(8, "John", "Backus"),
  hedy: customer(9, "Hedy", "Lamarr"),
  tim: customer(10, "Tim", "Berners-Lee"),
  radia: customer(11, "Radia", "Perlman"),
};

export const orderIdOf = (n: number) => 6_100_000_000 + n;
const lineIdOf = (n: number, i: number) => 6_200_000_000 + n * 10 + i;
export const orderNameOf = (n: number) => `#${1000 + n}`;

/** "2026-11-26" + "09:05" in the shop's zone, as Shopify writes timestamps (with offset). */
export function localTimestamp(day: string, hhmm: string, timeZone: string): string {
  const naive = Date.parse(`${day}T${hhmm}:00Z`);
  const offsetMin = (at: number) => {
    const name = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" }).formatToParts(at).find((p) => p.type === "timeZoneName")!.value;
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
    return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  };
  const offset = offsetMin(naive - offsetMin(naive) * 60_000);
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  return `${day}T${hhmm}:00${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

const gidOf = (type: string, id: number) => `gid://shopify/${type}/${id}`;

function available(shop: StandinShop, variantId: number): number {
  const v = shop.variants.get(gidOf("ProductVariant", variantId))!;
  return shop.levelsOf(v.inventoryItemId).reduce((s, l) => s + l.available, 0);
}

/** Takes stock as Shopify does for an order: from locations with stock first, the rest from the warehouse (below zero). */
function takeStock(shop: StandinShop, variantId: number, quantity: number, updatedAt: string, touched: Map<string, { item: number; location: number }>) {
  const v = shop.variants.get(gidOf("ProductVariant", variantId))!;
  const item = Number(v.inventoryItemId.split("/").pop());
  let left = quantity;
  const levels = [...shop.locations.keys()].map((loc) => ({ loc: Number(loc.split("/").pop()), level: shop.levelsOf(v.inventoryItemId).find((l) => l.locationId === loc) }));
  for (const { loc, level } of levels) {
    if (left === 0) break;
    const take = Math.min(left, Math.max(0, level?.available ?? 0));
    if (take === 0) continue;
    shop.setAvailable(item, loc, level!.available - take, updatedAt);
    touched.set(`${item}|${loc}`, { item, location: loc });
    left -= take;
  }
  if (left > 0) {
    const current = shop.levelsOf(v.inventoryItemId).find((l) => l.locationId === gidOf("Location", L.warehouse))?.available ?? 0;
    shop.setAvailable(item, L.warehouse, current - left, updatedAt);
    touched.set(`${item}|${L.warehouse}`, { item, location: L.warehouse });
  }
}

function levelWebhooks(shop: StandinShop, touched: Map<string, { item: number; location: number }>, stepId: string): DemoWebhook[] {
  return [...touched.values()].map(({ item, location }, i) => {
    const level = shop.levelsOf(gidOf("InventoryItem", item)).find((l) => l.locationId === gidOf("Location", location))!;
    return { topic: "inventory_levels/update", payload: inventoryLevelPayload(item, location, level.available, level.updatedAt), webhookId: `demo-${stepId}-level-${i + 1}` };
  });
}

function sale(id: string, at: string, n: number, who: Customer, items: [variantId: number, quantity: number][], needsSettledApp = false): DemoStep {
  const what = items.map(([v, q]) => `${q} × ${CATALOG[v]!.title}${CATALOG[v]!.variantTitle === "Default Title" ? "" : ` / ${CATALOG[v]!.variantTitle}`}`).join(", ");
  return {
    id,
    at,
    title: `${who.first} ${who.last} orders ${what}`,
    needsSettledApp,
    run(ctx) {
      const ts = localTimestamp(ctx.day, at, ctx.timezone);
      if (!ctx.replay) {
        for (const [variantId, quantity] of items) {
          const v = ctx.shop.variants.get(gidOf("ProductVariant", variantId))!;
          // Shopify's checkout: past zero stock only while the variant continues selling.
          if (available(ctx.shop, variantId) < quantity && v.inventoryPolicy === "DENY") return { refused: `${CATALOG[variantId]!.title} / ${CATALOG[variantId]!.variantTitle} is sold out (inventory policy DENY)` };
        }
      }
      const touched = new Map<string, { item: number; location: number }>();
      for (const [variantId, quantity] of items) takeStock(ctx.shop, variantId, quantity, ts, touched);
      const orderId = orderIdOf(n);
      const lines = items.map(([variantId, quantity], i) => {
        const c = CATALOG[variantId]!;
        return { id: lineIdOf(n, i), variantId, productId: c.product, quantity, price: c.price, title: c.title, variantTitle: c.variantTitle, sku: c.sku };
      });
      const order = ctx.shop.addOrder({ id: orderId, name: orderNameOf(n), locationId: L.warehouse, lines: lines.map((l) => ({ id: l.id, variantId: l.variantId, quantity: l.quantity, title: l.title })) });
      order.createdAt = ts;
      return {
        webhooks: [
          { topic: "orders/create", payload: orderPayload({ id: orderId, name: orderNameOf(n), createdAt: ts, customer: who, lines }), webhookId: `demo-${id}-order` },
          ...levelWebhooks(ctx.shop, touched, id),
        ],
      };
    },
  };
}

function restock(id: string, at: string, variantId: number, quantity: number): DemoStep {
  const c = CATALOG[variantId]!;
  return {
    id,
    at,
    title: `${quantity} × ${c.title} / ${c.variantTitle} arrive at the warehouse`,
    needsSettledApp: false,
    run(ctx) {
      const ts = localTimestamp(ctx.day, at, ctx.timezone);
      const v = ctx.shop.variants.get(gidOf("ProductVariant", variantId))!;
      const item = Number(v.inventoryItemId.split("/").pop());
      const current = ctx.shop.levelsOf(v.inventoryItemId).find((l) => l.locationId === gidOf("Location", L.warehouse))?.available ?? 0;
      ctx.shop.setAvailable(item, L.warehouse, current + quantity, ts);
      return { webhooks: levelWebhooks(ctx.shop, new Map([[`${item}|${L.warehouse}`, { item, location: L.warehouse }]]), id) };
    },
  };
}

function cancellation(id: string, at: string, n: number, who: Customer, items: [variantId: number, quantity: number][]): DemoStep {
  return {
    id,
    at,
    title: `${who.first} ${who.last} cancels order ${orderNameOf(n)} (stock goes back)`,
    needsSettledApp: false,
    run(ctx) {
      const ts = localTimestamp(ctx.day, at, ctx.timezone);
      const order = ctx.shop.orders.get(gidOf("Order", orderIdOf(n)))!;
      order.cancelledAt = ts;
      for (const fo of ctx.shop.fulfillmentOrdersOf(order.id)) fo.status = "CLOSED";
      const touched = new Map<string, { item: number; location: number }>();
      for (const [variantId, quantity] of items) {
        const v = ctx.shop.variants.get(gidOf("ProductVariant", variantId))!;
        const item = Number(v.inventoryItemId.split("/").pop());
        const current = ctx.shop.levelsOf(v.inventoryItemId).find((l) => l.locationId === gidOf("Location", L.warehouse))?.available ?? 0;
        ctx.shop.setAvailable(item, L.warehouse, current + quantity, ts);
        touched.set(`${item}|${L.warehouse}`, { item, location: L.warehouse });
      }
      const lines = items.map(([variantId, quantity], i) => {
        const c = CATALOG[variantId]!;
        return { id: lineIdOf(n, i), variantId, productId: c.product, quantity, fulfillable: 0, price: c.price, title: c.title, variantTitle: c.variantTitle, sku: c.sku };
      });
      const createdAt = localTimestamp(ctx.day, DAY.find((s) => s.id === `o${n}`)?.at ?? at, ctx.timezone);
      return {
        webhooks: [
          { topic: "orders/cancelled", payload: orderPayload({ id: orderIdOf(n), name: orderNameOf(n), createdAt, updatedAt: ts, cancelledAt: ts, customer: who, lines }), webhookId: `demo-${id}-order` },
          ...levelWebhooks(ctx.shop, touched, id),
        ],
      };
    },
  };
}

/**
 * The day. Stock at opening (seed): Linen Shirt S 8, M 3, L 0; Merino Beanie Oat 12,
 * Forest 2; Ceramic Pour-Over 4. The merchant's settings (DEMO_POLICIES) take backorders
 * on Shirt M and L, on Beanie Forest up to 2 units, and switch the Pour-Over on when it sells out.
 */
export const DAY: DemoStep[] = [
  sale("o1", "09:05", 1, C.ada, [[V.shirtM, 2], [V.beanieOat, 1]]),
  sale("o2", "09:40", 2, C.grace, [[V.shirtM, 3]], true), // 1 in stock, 2 on backorder
  sale("o3", "10:15", 3, C.alan, [[V.shirtL, 1]], true), // L has none: a backorder
  sale("o4", "10:50", 4, C.katherine, [[V.beanieForest, 2]]), // the last two Forest
  sale("o5", "11:20", 5, C.margaret, [[V.beanieForest, 1]], true),
  sale("o6", "11:45", 6, C.edsger, [[V.beanieForest, 1]], true), // limit of 2 reached: DENY
  sale("o7", "12:30", 7, C.barbara, [[V.beanieForest, 1]], true), // refused at checkout
  sale("o8", "13:00", 8, C.ada, [[V.pourOver, 4]]), // sells out: auto-enable switches backorders on
  sale("o9", "13:30", 9, C.john, [[V.pourOver, 2]], true),
  restock("r1", "14:10", V.shirtM, 4), // Grace's 2 waiting units are covered: hold released
  cancellation("c1", "15:00", 3, C.alan, [[V.shirtL, 1]]),
  sale("o10", "15:30", 10, C.hedy, [[V.shirtL, 1]], true),
  sale("o11", "16:20", 11, C.tim, [[V.shirtM, 2]]),
  sale("o12", "16:45", 12, C.radia, [[V.shirtM, 1]], true),
];

/** The merchant's backorder settings before the day starts (restock dates are days after it). */
export const DEMO_POLICIES: { variantId: number; enabled: boolean; maxBackorder?: number; restockInDays?: number; incomingQuantity?: number; autoEnable?: boolean; message?: string }[] = [
  { variantId: V.shirtM, enabled: true, restockInDays: 12, incomingQuantity: 6 },
  { variantId: V.shirtL, enabled: true, restockInDays: 20, incomingQuantity: 10 },
  { variantId: V.beanieForest, enabled: true, maxBackorder: 2, restockInDays: 9, incomingQuantity: 12 },
  { variantId: V.pourOver, enabled: false, autoEnable: true, restockInDays: 30 },
];

/** Where the day ends in the queue: waiting units per order line (order number → variant → units). */
export const EXPECTED_WAITING: { order: string; variantId: number; units: number }[] = [
  { order: orderNameOf(5), variantId: V.beanieForest, units: 1 },
  { order: orderNameOf(6), variantId: V.beanieForest, units: 1 },
  { order: orderNameOf(9), variantId: V.pourOver, units: 2 },
  { order: orderNameOf(10), variantId: V.shirtL, units: 1 },
  { order: orderNameOf(12), variantId: V.shirtM, units: 1 },
];
