// The stand-in's in-memory store: one Shopify shop per domain, with the objects the
// app reads and writes (products, variants, inventory items and levels per location,
// orders, fulfillment orders and their holds, metafields, tags). Ids are Shopify GIDs
// whose numeric tail is the REST id the webhooks carry, so webhook fixtures and the
// Admin API talk about the same objects.

/** A GID from a REST id; a GID stays as it is (callers pass either). */
export const gid = (type: string, id: string | number) => (String(id).startsWith("gid:") ? String(id) : `gid://shopify/${type}/${id}`);
export const restId = (g: string) => g.slice(g.lastIndexOf("/") + 1).split("?")[0]!;

export interface StandinLocation {
  id: string;
  name: string;
}
export interface StandinProduct {
  id: string;
  title: string;
  handle: string;
  tags: string[];
  updatedAt: string;
  variantIds: string[];
}
/** A collection as a list of products, in the order the Admin API pages them (manual collections' order). */
export interface StandinCollection {
  id: string;
  title: string;
  handle: string;
  productIds: string[];
}
/** A flowTriggerReceive Flow accepted: what the shop's workflows would start with. */
export interface StandinFlowTrigger {
  handle: string;
  payload: Record<string, unknown>;
  at: string;
}
export interface StandinVariant {
  id: string;
  productId: string;
  title: string;
  sku: string | null;
  price: string;
  inventoryPolicy: "DENY" | "CONTINUE";
  inventoryItemId: string;
}
export interface StandinLevel {
  inventoryItemId: string;
  locationId: string;
  available: number;
  updatedAt: string;
}
export interface StandinLineItem {
  id: string;
  variantId: string | null;
  title: string;
  quantity: number;
  /** Unit price paid (the variant's price when ordered). */
  price: string;
  /** Units refunded so far (currentQuantity = quantity - refunded). */
  refunded: number;
}
/** A refund (refundCreate): lines with their restock, and the money sent back. */
export interface StandinRefund {
  id: string;
  createdAt: string;
  note: string | null;
  lineItems: { lineItemId: string; quantity: number; restockType: string; locationId: string | null; subtotal: string }[];
  transactions: { parentId: string; gateway: string; amount: string }[];
}
export interface StandinOrder {
  id: string;
  name: string;
  tags: string[];
  createdAt: string;
  cancelledAt: string | null;
  lineItems: StandinLineItem[];
  /** The payment the customer made at checkout (one SALE transaction, the order's total). */
  saleTransactionId: string;
  gateway: string;
  refunds: StandinRefund[];
}
export interface StandinHold {
  id: string;
  reason: string;
  reasonNotes: string | null;
  handle: string | null;
}
export interface StandinFulfillmentOrder {
  id: string;
  orderId: string;
  locationId: string;
  status: "OPEN" | "ON_HOLD" | "IN_PROGRESS" | "CLOSED" | "CANCELLED" | "SCHEDULED" | "INCOMPLETE";
  /** ISO time of its last change (creation, split, move, hold). */
  updatedAt: string;
  lineItems: { id: string; lineItemId: string; totalQuantity: number; remainingQuantity: number }[];
  holds: StandinHold[];
}
/** A theme: its name and text files (body as stored, filename -> content). */
export interface StandinTheme {
  id: string;
  name: string;
  role: "MAIN" | "UNPUBLISHED";
  files: Map<string, string>;
}

/**
 * A freshly installed shop's published theme: a product template whose main section has the
 * theme's own blocks only, and theme settings without app embeds. Shopify writes a comment
 * above the JSON of files it generates; the app must read past it.
 */
export function defaultMainTheme(): StandinTheme {
  const header = "/*\n * IMPORTANT: The contents of this file are auto-generated.\n */\n";
  const product = {
    sections: { main: { type: "main-product", blocks: { title: { type: "title" }, buy_buttons: { type: "buy_buttons" } } } },
    order: ["main"],
  };
  const settings = { current: { type_header_font: "assistant_n4", blocks: {} } };
  return {
    id: "gid://shopify/OnlineStoreTheme/1",
    name: "Dawn",
    role: "MAIN",
    files: new Map([
      ["templates/product.json", header + JSON.stringify(product, null, 2)],
      ["config/settings_data.json", header + JSON.stringify(settings, null, 2)],
      ["layout/theme.liquid", "<html>{{ content_for_layout }}</html>"],
    ]),
  };
}

export interface StandinMetafield {
  id: string;
  ownerId: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
  updatedAt: string;
}

export interface ShopInit {
  domain: string;
  accessToken?: string;
  name?: string;
  timezone?: string;
  currency?: string;
  locale?: string;
  /** Access scopes the app was granted on install (the token carries them); default: what the app requests. */
  scopes?: readonly string[];
}

import { DEFAULT_SCOPES } from "../../app/config.server.ts";

/** Orders older than this need `read_all_orders` (shopify.dev, Order object: "the last 60 days"). */
export const ORDER_WINDOW_MS = 60 * 24 * 60 * 60 * 1000;

/** An expiring offline access token lives one hour (shopify.dev, "Offline access tokens"). */
export const ACCESS_TOKEN_TTL_MS = 60 * 60 * 1000;

let serial = 900_000_000;
const nextId = () => ++serial;

export class StandinShop {
  readonly domain: string;
  accessToken: string;
  name: string;
  timezone: string;
  currency: string;
  locale: string;
  /** The installed app's access scopes: the stand-in refuses what they do not cover (access.ts). */
  grantedScopes: Set<string>;
  /** When the access token runs out (an expiring offline token, 60 minutes), in clock ms; null: it does not expire. */
  accessTokenExpiresAt: number | null = null;
  /** The one refresh token Shopify accepts now (it rotates on every use); null: none (non-expiring token, or revoked). */
  refreshToken: string | null = null;
  readonly locations = new Map<string, StandinLocation>();
  readonly products = new Map<string, StandinProduct>();
  readonly variants = new Map<string, StandinVariant>();
  readonly levels = new Map<string, StandinLevel>();
  readonly orders = new Map<string, StandinOrder>();
  readonly fulfillmentOrders = new Map<string, StandinFulfillmentOrder>();
  readonly metafields = new Map<string, StandinMetafield>();
  readonly collections = new Map<string, StandinCollection>();
  /** The shop's themes (`themes`): one published (MAIN) by default; edit its files to add the app's blocks. */
  readonly themes: StandinTheme[] = [defaultMainTheme()];
  // Indexes for levelsOf / variantOfItem: a 50,000-variant shop (bench/catalog-sync.ts) must not scan every level per variant.
  private readonly levelKeysOfItem = new Map<string, Set<string>>();
  private readonly variantIdOfItem = new Map<string, string>();
  /** refundCreate's idempotency keys: the refund each one made (a repeat gets that refund again). */
  readonly refundByIdempotencyKey = new Map<string, { orderId: string; refundId: string }>();
  /** Triggers received, in order (tests read them). */
  readonly flowTriggers: StandinFlowTrigger[] = [];

  constructor(
    init: ShopInit,
    private readonly clock: () => number,
  ) {
    this.domain = init.domain;
    this.accessToken = init.accessToken ?? `shpat_standin_${init.domain.split(".")[0]}`;
    this.name = init.name ?? init.domain.split(".")[0]!;
    this.timezone = init.timezone ?? "America/New_York";
    this.currency = init.currency ?? "USD";
    this.locale = init.locale ?? "en";
    this.grantedScopes = new Set(init.scopes ?? DEFAULT_SCOPES);
  }

  /**
   * Whether the app may read or change this order: Shopify opens only the last 60 days of
   * orders unless the app has `read_all_orders` (an older one is null, as if it did not exist).
   */
  canReadOrder(order: StandinOrder): boolean {
    return this.grantedScopes.has("read_all_orders") || this.clock() - Date.parse(order.createdAt) <= ORDER_WINDOW_MS;
  }

  /** The order, if the app may see it (canReadOrder). */
  readableOrder(id: string): StandinOrder | undefined {
    const o = this.orders.get(id);
    return o && this.canReadOrder(o) ? o : undefined;
  }

  nowIso(): string {
    return new Date(this.clock()).toISOString();
  }

  addLocation(id: number | string, name: string): StandinLocation {
    const loc = { id: gid("Location", id), name };
    this.locations.set(loc.id, loc);
    return loc;
  }

  addProduct(p: {
    id: number | string;
    title: string;
    tags?: string[];
    /** When stock and product were last changed (default: now). */
    updatedAt?: string;
    variants: {
      id: number | string;
      inventoryItemId: number | string;
      title?: string;
      sku?: string;
      price?: string;
      inventoryPolicy?: "DENY" | "CONTINUE";
      stock?: Record<string, number>;
    }[];
  }): StandinProduct {
    const product: StandinProduct = {
      id: gid("Product", p.id),
      title: p.title,
      handle: p.title.toLowerCase().replace(/\W+/g, "-").replace(/^-|-$/g, ""),
      tags: p.tags ?? [],
      updatedAt: p.updatedAt ?? this.nowIso(),
      variantIds: [],
    };
    this.products.set(product.id, product);
    p.variants.forEach((v, i) => {
      const variant: StandinVariant = {
        id: gid("ProductVariant", v.id),
        productId: product.id,
        title: v.title ?? `Variant ${i + 1}`,
        sku: v.sku ?? null,
        price: v.price ?? "25.00",
        inventoryPolicy: v.inventoryPolicy ?? "DENY",
        inventoryItemId: gid("InventoryItem", v.inventoryItemId),
      };
      this.variants.set(variant.id, variant);
      this.variantIdOfItem.set(variant.inventoryItemId, variant.id);
      product.variantIds.push(variant.id);
      for (const [locationId, available] of Object.entries(v.stock ?? {}))
        this.setAvailable(v.inventoryItemId, locationId, available, p.updatedAt);
    });
    return product;
  }

  /** A collection of existing products (ids as numbers or GIDs); change `productIds` to move products in or out. */
  addCollection(c: { id: number | string; title: string; productIds?: (number | string)[] }): StandinCollection {
    const productIds = (c.productIds ?? []).map((id) => gid("Product", id));
    for (const id of productIds) if (!this.products.has(id)) throw new Error(`stand-in collection ${c.title}: no product ${id}`);
    const collection = {
      id: gid("Collection", c.id),
      title: c.title,
      handle: c.title.toLowerCase().replace(/\W+/g, "-").replace(/^-|-$/g, ""),
      productIds,
    };
    this.collections.set(collection.id, collection);
    return collection;
  }

  /**
   * A new access token for the shop, as Shopify issues on a token refresh: the old one is
   * refused from now on (HTTP 401, as for an expired token). Returns the new token.
   */
  rotateAccessToken(next = `shpat_standin_${this.domain.split(".")[0]}_${nextId()}`): string {
    this.accessToken = next;
    return next;
  }

  /**
   * An expiring offline token pair, as Shopify issues on install with `expiring=1` and on
   * every refresh: the previous access and refresh tokens stop working.
   */
  issueExpiringToken(ttlMs = ACCESS_TOKEN_TTL_MS): { accessToken: string; refreshToken: string; expiresAt: number } {
    const accessToken = this.rotateAccessToken();
    this.refreshToken = `shprt_standin_${this.domain.split(".")[0]}_${nextId()}`;
    this.accessTokenExpiresAt = this.clock() + ttlMs;
    return { accessToken, refreshToken: this.refreshToken, expiresAt: this.accessTokenExpiresAt };
  }

  /** The access token ran out (its hour passed): Shopify answers 401 to it until it is refreshed. */
  expireAccessToken() {
    this.accessTokenExpiresAt = this.clock() - 1;
  }

  accessTokenValid(token: string | undefined): boolean {
    return (
      token !== undefined && token === this.accessToken && (this.accessTokenExpiresAt === null || this.clock() < this.accessTokenExpiresAt)
    );
  }

  /** The app was uninstalled (or its grant revoked): its access and refresh tokens are refused from now on. */
  revokeTokens() {
    this.rotateAccessToken();
    this.refreshToken = null;
  }

  setAvailable(inventoryItemId: number | string, locationId: number | string, available: number, updatedAt?: string) {
    const itemId = gid("InventoryItem", inventoryItemId);
    const locId = gid("Location", locationId);
    const key = `${itemId}|${locId}`;
    this.levels.set(key, { inventoryItemId: itemId, locationId: locId, available, updatedAt: updatedAt ?? this.nowIso() });
    let keys = this.levelKeysOfItem.get(itemId);
    if (!keys) this.levelKeysOfItem.set(itemId, (keys = new Set()));
    keys.add(key);
  }

  levelsOf(inventoryItemId: string): StandinLevel[] {
    return [...(this.levelKeysOfItem.get(inventoryItemId) ?? [])].flatMap((k) => this.levels.get(k) ?? []);
  }

  variantOfItem(inventoryItemId: string): StandinVariant | undefined {
    const id = this.variantIdOfItem.get(inventoryItemId);
    const v = id ? this.variants.get(id) : undefined;
    return v?.inventoryItemId === inventoryItemId ? v : undefined;
  }

  /**
   * An order as Shopify creates it: one open fulfillment order per location, with the lines
   * fulfilled from there (a line's own `locationId`, else the order's). A line Shopify routes
   * over several locations (`split`: location -> units, summing to its quantity) has a
   * fulfillment order line item in each of those locations' fulfillment orders.
   */
  addOrder(o: {
    id: number | string;
    name?: string;
    locationId: number | string;
    lines: {
      id: number | string;
      variantId: number | string | null;
      quantity: number;
      title?: string;
      price?: string;
      locationId?: number | string;
      split?: Record<string, number>;
    }[];
    tags?: string[];
    createdAt?: string;
  }): StandinOrder {
    const order: StandinOrder = {
      id: gid("Order", o.id),
      name: o.name ?? `#${1000 + (Number(o.id) % 100000)}`,
      tags: o.tags ?? [],
      createdAt: o.createdAt ?? this.nowIso(),
      cancelledAt: null,
      lineItems: o.lines.map((l) => {
        const variantId = l.variantId == null ? null : gid("ProductVariant", l.variantId);
        return {
          id: gid("LineItem", l.id),
          variantId,
          title: l.title ?? "Item",
          quantity: l.quantity,
          price: l.price ?? (variantId && this.variants.get(variantId)?.price) ?? "25.00",
          refunded: 0,
        };
      }),
      saleTransactionId: gid("OrderTransaction", nextId()),
      gateway: "bogus",
      refunds: [],
    };
    this.orders.set(order.id, order);
    const byLocation = new Map<string, { id: string; quantity: number }[]>();
    o.lines.forEach((l, i) => {
      const line = order.lineItems[i]!;
      const parts = l.split ? Object.entries(l.split) : [[String(l.locationId ?? o.locationId), l.quantity] as const];
      if (parts.reduce((sum, [, q]) => sum + q, 0) !== l.quantity)
        throw new Error(`line ${l.id}: the split does not add up to its quantity`);
      for (const [location, quantity] of parts) {
        const loc = gid("Location", location);
        byLocation.set(loc, [...(byLocation.get(loc) ?? []), { id: line.id, quantity }]);
      }
    });
    for (const [locationId, lines] of byLocation) {
      const fo: StandinFulfillmentOrder = {
        id: gid("FulfillmentOrder", nextId()),
        orderId: order.id,
        locationId,
        status: "OPEN",
        updatedAt: this.nowIso(),
        lineItems: lines.map((l) => ({
          id: gid("FulfillmentOrderLineItem", nextId()),
          lineItemId: l.id,
          totalQuantity: l.quantity,
          remainingQuantity: l.quantity,
        })),
        holds: [],
      };
      this.fulfillmentOrders.set(fo.id, fo);
    }
    return order;
  }

  /**
   * The merchant moves a fulfillment order, or some of its units, to another location (Admin:
   * "Change location"; the API's fulfillmentOrderMove, which the app never sends), as Shopify
   * documents the mutation (2026-07): a closed fulfillment order cannot move; moving every unit
   * of one with nothing fulfilled reassigns it (`assignedLocation` updated, same id); moving a
   * subset (`lineItems`: fulfillment order line item id and quantity, the mutation's
   * `fulfillmentOrderLineItems`), or any move of one with fulfilled units, leaves the rest in the
   * original and puts the moved units in a new fulfillment order at the destination (which also
   * takes over, and closes, the order's active fulfillment order already there). An original
   * left with nothing is closed. The levels its committed units leave and reach are the caller's
   * to set. Returns the moved fulfillment order (the original keeps its id), for the
   * `fulfillment_orders/moved` payload.
   */
  moveFulfillmentOrder(id: string, locationId: string, lineItems?: { id: string; quantity: number }[]): StandinFulfillmentOrder {
    const fo = this.fulfillmentOrders.get(id);
    if (!fo) throw new Error(`no fulfillment order ${id}`);
    if (fo.status === "CLOSED" || fo.status === "CANCELLED") throw new Error(`fulfillment order ${id} is ${fo.status}: it cannot move`);
    const units =
      lineItems ?? fo.lineItems.filter((l) => l.remainingQuantity > 0).map((l) => ({ id: l.id, quantity: l.remainingQuantity }));
    for (const u of units) {
      const line = fo.lineItems.find((l) => l.id === u.id);
      if (!line || u.quantity <= 0 || u.quantity > line.remainingQuantity) throw new Error(`invalid quantity for ${u.id}`);
    }
    const fulfilledAny = fo.lineItems.some((l) => l.remainingQuantity < l.totalQuantity);
    const everything = fo.lineItems.every((l) => l.remainingQuantity === (units.find((u) => u.id === l.id)?.quantity ?? 0));
    const now = this.nowIso();
    if (everything && !fulfilledAny) {
      fo.locationId = locationId;
      fo.updatedAt = now;
      return fo;
    }
    const moved: StandinFulfillmentOrder = {
      id: gid("FulfillmentOrder", nextId()),
      orderId: fo.orderId,
      locationId,
      status: "OPEN",
      updatedAt: now,
      holds: [],
      lineItems: units.map((u) => {
        const line = fo.lineItems.find((l) => l.id === u.id)!;
        line.remainingQuantity -= u.quantity;
        line.totalQuantity -= u.quantity;
        return {
          id: gid("FulfillmentOrderLineItem", nextId()),
          lineItemId: line.lineItemId,
          totalQuantity: u.quantity,
          remainingQuantity: u.quantity,
        };
      }),
    };
    // A line whose units all moved is no longer on the original; an original left with nothing to ship is closed.
    fo.lineItems = fo.lineItems.filter((l) => l.totalQuantity > 0);
    if (fo.lineItems.every((l) => l.remainingQuantity === 0)) fo.status = "CLOSED";
    fo.updatedAt = now;
    // "If the new location is already assigned to another active fulfillment order, on the same
    // order, then a new fulfillment order is created. The existing fulfillment order is closed and
    // line items are recreated in a new fulfillment order": the moved one holds both.
    const active = [...this.fulfillmentOrders.values()].find(
      (f) => f.orderId === fo.orderId && f.id !== fo.id && f.locationId === locationId && !["CLOSED", "CANCELLED"].includes(f.status),
    );
    if (active) {
      for (const l of active.lineItems) {
        if (l.remainingQuantity === 0) continue;
        const same = moved.lineItems.find((m) => m.lineItemId === l.lineItemId);
        if (same) {
          same.totalQuantity += l.remainingQuantity;
          same.remainingQuantity += l.remainingQuantity;
        } else
          moved.lineItems.push({
            id: gid("FulfillmentOrderLineItem", nextId()),
            lineItemId: l.lineItemId,
            totalQuantity: l.remainingQuantity,
            remainingQuantity: l.remainingQuantity,
          });
        l.remainingQuantity = 0;
      }
      active.status = "CLOSED";
      active.updatedAt = now;
    }
    this.fulfillmentOrders.set(moved.id, moved);
    return moved;
  }

  fulfillmentOrdersOf(orderId: string): StandinFulfillmentOrder[] {
    return [...this.fulfillmentOrders.values()].filter((f) => f.orderId === orderId);
  }

  metafield(ownerId: string, namespace: string, key: string): StandinMetafield | undefined {
    return this.metafields.get(`${ownerId}|${namespace}|${key}`);
  }

  putMetafield(m: Omit<StandinMetafield, "id" | "updatedAt">): StandinMetafield {
    const k = `${m.ownerId}|${m.namespace}|${m.key}`;
    const existing = this.metafields.get(k);
    const row = { ...m, id: existing?.id ?? gid("Metafield", nextId()), updatedAt: this.nowIso() };
    this.metafields.set(k, row);
    return row;
  }

  /** True when there was one to delete. */
  deleteMetafield(ownerId: string, namespace: string, key: string): boolean {
    return this.metafields.delete(`${ownerId}|${namespace}|${key}`);
  }

  newId(type: string): string {
    return gid(type, nextId());
  }
}

/** What a storefront shows for a variant: the demo renders product pages from this. */
export interface StorefrontVariantView {
  id: string;
  restId: string;
  title: string;
  sku: string | null;
  price: string;
  inventoryPolicy: "DENY" | "CONTINUE";
  available: number;
  /** Shopify's own rule: purchasable while stock is left or the policy continues selling. */
  availableForSale: boolean;
  /** The app's STOREFRONT_METAFIELD (`$app.backorder_status`), parsed; null when not set. */
  backorderStatus: unknown;
}

export interface StorefrontProductView {
  id: string;
  restId: string;
  title: string;
  handle: string;
  tags: string[];
  variants: StorefrontVariantView[];
}
