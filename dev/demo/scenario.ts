// The offline demo's day of trade in the demo store (dev/admin-standin/seed.ts), told
// from Shopify's side: each step changes the stand-in the way Shopify would (an order
// takes stock, a restock adds it, a cancellation puts it back) and returns the webhooks
// Shopify would then send. Ids and webhook ids are fixed, so a second run of the same
// day sends duplicates, which the app ignores.
import { gid, restId, type StandinShop } from "../admin-standin/state.ts";
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
  title(shop: StandinShop): string;
  /** Its checkout may depend on the app's inventory policy: let the app settle first. */
  needsSettledApp: boolean;
  run(ctx: StepContext): StepOutcome;
}

const { variants: V, locations: L } = DEMO_IDS;

/** "Linen Shirt / M", or the product's title for its only variant. */
function nameOf(shop: StandinShop, variantId: number): string {
  const v = shop.variants.get(gid("ProductVariant", variantId))!;
  const title = shop.products.get(v.productId)!.title;
  return v.title === "Default Title" ? title : `${title} / ${v.title}`;
}

/** An order line for a variant, from the store's own product and variant (title, SKU, price). */
function orderLine(shop: StandinShop, variantId: number, id: number, quantity: number) {
  const v = shop.variants.get(gid("ProductVariant", variantId))!;
  const p = shop.products.get(v.productId)!;
  return {
    id,
    variantId,
    productId: Number(restId(p.id)),
    quantity,
    price: v.price,
    title: p.title,
    variantTitle: v.title,
    sku: v.sku ?? undefined,
  };
}

interface Customer {
  id: number;
  first: string;
  last: string;
  email: string;
}

const customer = (n: number, first: string, last: string): Customer => ({
  id: 7_700_000_000 + n,
  first,
  last,
  email: `${first.toLowerCase()}@example.com`,
});
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
    const name = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" })
      .formatToParts(at)
      .find((p) => p.type === "timeZoneName")!.value;
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
    return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  };
  const offset = offsetMin(naive - offsetMin(naive) * 60_000);
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  return `${day}T${hhmm}:00${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

function available(shop: StandinShop, variantId: number): number {
  const v = shop.variants.get(gid("ProductVariant", variantId))!;
  return shop.levelsOf(v.inventoryItemId).reduce((s, l) => s + l.available, 0);
}

/** The inventory levels a step changed, for the webhooks Shopify sends about them. */
type Touched = Map<string, { item: number; location: number }>;

/** Shopify's inventory adjustment: `delta` units at `location`, stamped `updatedAt`. */
function adjustStock(shop: StandinShop, variantId: number, location: number, delta: number, updatedAt: string, touched: Touched) {
  const v = shop.variants.get(gid("ProductVariant", variantId))!;
  const item = Number(restId(v.inventoryItemId));
  const current = shop.levelsOf(v.inventoryItemId).find((l) => l.locationId === gid("Location", location))?.available ?? 0;
  shop.setAvailable(item, location, current + delta, updatedAt);
  touched.set(`${item}|${location}`, { item, location });
}

/** Takes stock as Shopify does for an order: from locations with stock first, the rest from the warehouse (below zero). */
function takeStock(shop: StandinShop, variantId: number, quantity: number, updatedAt: string, touched: Touched) {
  const levels = shop.levelsOf(shop.variants.get(gid("ProductVariant", variantId))!.inventoryItemId);
  let left = quantity;
  for (const loc of shop.locations.keys()) {
    const take = Math.min(left, Math.max(0, levels.find((l) => l.locationId === loc)?.available ?? 0));
    if (take === 0) continue;
    adjustStock(shop, variantId, Number(restId(loc)), -take, updatedAt, touched);
    left -= take;
  }
  if (left > 0) adjustStock(shop, variantId, L.warehouse, -left, updatedAt, touched);
}

function levelWebhooks(shop: StandinShop, touched: Touched, stepId: string): DemoWebhook[] {
  return [...touched.values()].map(({ item, location }, i) => {
    const level = shop.levelsOf(gid("InventoryItem", item)).find((l) => l.locationId === gid("Location", location))!;
    return {
      topic: "inventory_levels/update",
      payload: inventoryLevelPayload(item, location, level.available, level.updatedAt),
      webhookId: `demo-${stepId}-level-${i + 1}`,
    };
  });
}

function sale(
  id: string,
  at: string,
  n: number,
  who: Customer,
  items: [variantId: number, quantity: number][],
  needsSettledApp = false,
): DemoStep {
  return {
    id,
    at,
    title: (shop) => `${who.first} ${who.last} orders ${items.map(([v, q]) => `${q} × ${nameOf(shop, v)}`).join(", ")}`,
    needsSettledApp,
    run(ctx) {
      const ts = localTimestamp(ctx.day, at, ctx.timezone);
      if (!ctx.replay) {
        for (const [variantId, quantity] of items) {
          const v = ctx.shop.variants.get(gid("ProductVariant", variantId))!;
          // Shopify's checkout: past zero stock only while the variant continues selling.
          if (available(ctx.shop, variantId) < quantity && v.inventoryPolicy === "DENY")
            return { refused: `${nameOf(ctx.shop, variantId)} is sold out (inventory policy DENY)` };
        }
      }
      const touched: Touched = new Map();
      for (const [variantId, quantity] of items) takeStock(ctx.shop, variantId, quantity, ts, touched);
      const orderId = orderIdOf(n);
      const lines = items.map(([variantId, quantity], i) => orderLine(ctx.shop, variantId, lineIdOf(n, i), quantity));
      const order = ctx.shop.addOrder({
        id: orderId,
        name: orderNameOf(n),
        locationId: L.warehouse,
        lines: lines.map((l) => ({ id: l.id, variantId: l.variantId, quantity: l.quantity, title: l.title })),
      });
      order.createdAt = ts;
      return {
        webhooks: [
          {
            topic: "orders/create",
            payload: orderPayload({ id: orderId, name: orderNameOf(n), createdAt: ts, customer: who, lines }),
            webhookId: `demo-${id}-order`,
          },
          ...levelWebhooks(ctx.shop, touched, id),
        ],
      };
    },
  };
}

function restock(id: string, at: string, variantId: number, quantity: number): DemoStep {
  return {
    id,
    at,
    title: (shop) => `${quantity} × ${nameOf(shop, variantId)} arrive at the warehouse`,
    needsSettledApp: false,
    run(ctx) {
      const ts = localTimestamp(ctx.day, at, ctx.timezone);
      const touched: Touched = new Map();
      adjustStock(ctx.shop, variantId, L.warehouse, quantity, ts, touched);
      return { webhooks: levelWebhooks(ctx.shop, touched, id) };
    },
  };
}

function cancellation(id: string, at: string, n: number, who: Customer, items: [variantId: number, quantity: number][]): DemoStep {
  return {
    id,
    at,
    title: () => `${who.first} ${who.last} cancels order ${orderNameOf(n)} (stock goes back)`,
    needsSettledApp: false,
    run(ctx) {
      const ts = localTimestamp(ctx.day, at, ctx.timezone);
      const order = ctx.shop.orders.get(gid("Order", orderIdOf(n)))!;
      order.cancelledAt = ts;
      for (const fo of ctx.shop.fulfillmentOrdersOf(order.id)) fo.status = "CLOSED";
      const touched: Touched = new Map();
      for (const [variantId, quantity] of items) adjustStock(ctx.shop, variantId, L.warehouse, quantity, ts, touched);
      const lines = items.map(([variantId, quantity], i) => ({
        ...orderLine(ctx.shop, variantId, lineIdOf(n, i), quantity),
        fulfillable: 0,
      }));
      return {
        webhooks: [
          {
            topic: "orders/cancelled",
            payload: orderPayload({
              id: orderIdOf(n),
              name: orderNameOf(n),
              createdAt: order.createdAt,
              updatedAt: ts,
              cancelledAt: ts,
              customer: who,
              lines,
            }),
            webhookId: `demo-${id}-order`,
          },
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
  sale("o1", "09:05", 1, C.ada, [
    [V.shirtM, 2],
    [V.beanieOat, 1],
  ]),
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
export const DEMO_POLICIES: {
  variantId: number;
  enabled: boolean;
  maxBackorder?: number;
  restockInDays?: number;
  incomingQuantity?: number;
  autoEnable?: boolean;
  message?: string;
}[] = [
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
