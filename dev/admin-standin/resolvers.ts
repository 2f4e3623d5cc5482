// Resolvers over the in-memory shop for the operations the app uses. graphql-js runs
// them against Shopify's real schema (built from introspection, so it has no
// resolvers of its own): plain objects whose properties are values or functions of
// the field's arguments, tagged with __typename for interfaces. A field the stand-in
// does not model resolves to null, which a non-null field turns into an error: the
// test then says plainly what is missing instead of passing on made-up data.
import { declaredMetafieldDefinitions, type DeclaredMetafieldDefinition } from "./app-config.ts";
import type { BulkOperations } from "./bulk.ts";
import { declaredFlowTriggers, flowPayloadErrors, type DeclaredFlowTrigger } from "./flow-triggers.ts";
import { createRefund, suggestedRefund, type RefundInput, type RefundLineInput } from "./refunds.ts";
import { valueFromASTUntyped, type GraphQLResolveInfo } from "graphql";
import {
  gid,
  restId,
  type StandinCollection,
  type StandinFulfillmentOrder,
  type StandinOrder,
  type StandinProduct,
  type StandinShop,
  type StandinTheme,
  type StandinVariant,
} from "./state.ts";

type Args = Record<string, unknown>;
type Obj = Record<string, unknown>;

/** `$app:foo` is the calling app's reserved namespace, `app--<app id>--foo` (as Shopify stores it). */
export function resolveNamespace(ns: string, appId: string): string {
  if (ns === "$app") return `app--${appId}`;
  if (ns.startsWith("$app:")) return `app--${appId}--${ns.slice(5)}`;
  return ns;
}

/** Shopify's page size limit (shopify.dev "Paginating results with GraphQL": up to 250 resources). */
export const MAX_PAGE_SIZE = 250;

/** `unpaged`: a bulk operation's run, where a connection without first/last returns every node. */
function connection<T>(items: T[], args: Args, view: (t: T) => Obj, unpaged = false, maxPage = MAX_PAGE_SIZE) {
  const first = typeof args.first === "number" ? args.first : undefined;
  const last = typeof args.last === "number" ? args.last : undefined;
  // Shopify refuses a connection without a page size or with more than 250 (the wording is ours);
  // bulk operations page for themselves and take none.
  if (first === undefined && last === undefined && !unpaged) throw new Error("you must provide one of first or last");
  if ((first ?? last)! > maxPage || (first ?? last)! < 0) throw new Error(`first and last must be between 0 and ${maxPage}`);
  let start = 0;
  if (typeof args.after === "string") start = Number(Buffer.from(args.after, "base64").toString().split(":")[1] ?? -1) + 1;
  let slice = items.slice(start).map((item, i) => ({ item, index: start + i }));
  if (first !== undefined) slice = slice.slice(0, first);
  if (last !== undefined) slice = slice.slice(-last);
  const cursor = (i: number) => Buffer.from(`cursor:${i}`).toString("base64");
  const nodes = slice.map((s) => view(s.item));
  const lastIndex = slice.length ? slice[slice.length - 1]!.index : start - 1;
  return {
    nodes,
    edges: slice.map((s, i) => ({ cursor: cursor(s.index), node: nodes[i] })),
    pageInfo: {
      hasNextPage: lastIndex < items.length - 1,
      hasPreviousPage: start > 0,
      startCursor: slice.length ? cursor(slice[0]!.index) : null,
      endCursor: slice.length ? cursor(lastIndex) : null,
    },
  };
}

/** What `shopify app deploy` installs on every shop: read once, the same for all shops. */
let declared: DeclaredMetafieldDefinition[] | undefined;
let flowTriggers: Map<string, DeclaredFlowTrigger> | undefined;

export class ShopResolvers {
  constructor(
    private readonly shop: StandinShop,
    private readonly appId: string,
    private readonly bulk?: BulkOperations,
    /** Resolving a bulk operation's query: connections need no first/last (bulk.ts pages the root). */
    private readonly unpaged = false,
  ) {}

  private connect<T>(items: T[], args: Args, view: (t: T) => Obj) {
    return connection(items, args, view, this.unpaged);
  }

  private bulkOperation(id: string): Obj | null {
    const op = this.bulk?.get(this.shop, id);
    return op ? this.bulk!.view(op) : null;
  }

  /** The app's declared definition for this owner and (resolved) namespace/key, if any. */
  private definitionFor(ownerId: string, ns: string, key: string): DeclaredMetafieldDefinition | undefined {
    declared ??= declaredMetafieldDefinitions();
    const resource = ownerId.split("/")[3];
    return declared.find((d) => d.ownerResource === resource && d.key === key && resolveNamespace(d.namespace, this.appId) === ns);
  }

  private location(id: string): Obj | null {
    const l = this.shop.locations.get(id);
    return l ? { __typename: "Location", id: l.id, name: l.name, legacyResourceId: restId(l.id), isActive: true } : null;
  }

  private theme(t: StandinTheme): Obj {
    return {
      __typename: "OnlineStoreTheme",
      id: t.id,
      name: t.name,
      role: t.role,
      files: (a: Args) => {
        // Shopify's limits on this field (its schema notes): at most 50 filenames, 2500 files a page.
        const names = a.filenames as string[] | undefined;
        if (names && names.length > 50) throw new Error("At most 50 filenames can be specified");
        const first = typeof a.first === "number" ? a.first : 50;
        const glob = (n: string) =>
          new RegExp(
            `^${n
              .split("*")
              .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
              .join(".*")}$`,
          );
        const wanted = names?.map(glob);
        const files = [...t.files].filter(([name]) => !wanted || wanted.some((w) => w.test(name)));
        const page = connection(
          files,
          { ...a, first },
          ([filename, content]) => ({
            __typename: "OnlineStoreThemeFile",
            filename,
            size: Buffer.byteLength(content),
            contentType: filename.endsWith(".json") ? "application/json" : "text/plain",
            body: { __typename: "OnlineStoreThemeFileBodyText", content },
          }),
          false,
          2500,
        );
        return { ...page, userErrors: [] };
      },
    };
  }

  private metafield(ownerId: string, namespace: unknown, key: unknown): Obj | null {
    const ns = resolveNamespace(typeof namespace === "string" ? namespace : "$app", this.appId);
    const m = this.shop.metafield(ownerId, ns, String(key));
    return m
      ? {
          __typename: "Metafield",
          id: m.id,
          namespace: m.namespace,
          key: m.key,
          type: m.type,
          value: m.value,
          jsonValue: m.type === "json" ? JSON.parse(m.value) : m.value,
          updatedAt: m.updatedAt,
          ownerType: "PRODUCTVARIANT",
        }
      : null;
  }

  private level(itemId: string, l: { locationId: string; available: number; updatedAt: string }): Obj {
    return {
      __typename: "InventoryLevel",
      id: `gid://shopify/InventoryLevel/${restId(l.locationId)}?inventory_item_id=${restId(itemId)}`,
      updatedAt: l.updatedAt,
      location: () => this.location(l.locationId),
      item: () => this.inventoryItem(itemId),
      quantities: (a: Args) =>
        (a.names as string[]).map((name) => ({
          __typename: "InventoryQuantity",
          id: `gid://shopify/InventoryQuantity/${restId(l.locationId)}?inventory_item_id=${restId(itemId)}&name=${name}`,
          name,
          quantity: name === "available" ? l.available : name === "on_hand" ? Math.max(0, l.available) : 0,
          updatedAt: l.updatedAt,
        })),
    };
  }

  private inventoryItem(itemId: string): Obj {
    return {
      __typename: "InventoryItem",
      id: itemId,
      legacyResourceId: restId(itemId),
      tracked: true,
      variant: () => {
        const v = this.shop.variantOfItem(itemId);
        return v ? this.variant(v) : null;
      },
      inventoryLevels: (a: Args) => this.connect(this.shop.levelsOf(itemId), a, (l) => this.level(itemId, l)),
    };
  }

  variant(v: StandinVariant): Obj {
    return {
      __typename: "ProductVariant",
      id: v.id,
      legacyResourceId: restId(v.id),
      title: v.title,
      displayName: `${this.shop.products.get(v.productId)?.title ?? ""} - ${v.title}`,
      sku: v.sku,
      price: v.price,
      inventoryPolicy: v.inventoryPolicy,
      inventoryQuantity: this.shop.levelsOf(v.inventoryItemId).reduce((s, l) => s + l.available, 0),
      availableForSale: v.inventoryPolicy === "CONTINUE" || this.shop.levelsOf(v.inventoryItemId).some((l) => l.available > 0),
      product: () => this.product(this.shop.products.get(v.productId)!),
      inventoryItem: () => this.inventoryItem(v.inventoryItemId),
      metafield: (a: Args) => this.metafield(v.id, a.namespace, a.key),
    };
  }

  product(p: StandinProduct): Obj {
    return {
      __typename: "Product",
      id: p.id,
      legacyResourceId: restId(p.id),
      title: p.title,
      handle: p.handle,
      tags: p.tags,
      updatedAt: p.updatedAt,
      status: "ACTIVE",
      variants: (a: Args) =>
        this.connect(
          p.variantIds.map((id) => this.shop.variants.get(id)!),
          a,
          (v) => this.variant(v),
        ),
    };
  }

  collection(c: StandinCollection): Obj {
    return {
      __typename: "Collection",
      id: c.id,
      legacyResourceId: restId(c.id),
      title: c.title,
      handle: c.handle,
      // Products deleted from the shop drop out of the collection, as in Shopify.
      products: (a: Args) => {
        const products = c.productIds.map((id) => this.shop.products.get(id)).filter((p): p is StandinProduct => !!p);
        return this.connect(a.reverse === true ? products.reverse() : products, a, (p) => this.product(p));
      },
      hasProduct: (a: Args) => c.productIds.includes(String(a.id)),
    };
  }

  private lineItem(orderId: string, lineItemId: string): Obj | null {
    const li = this.shop.orders.get(orderId)?.lineItems.find((l) => l.id === lineItemId);
    if (!li) return null;
    return {
      __typename: "LineItem",
      id: li.id,
      title: li.title,
      name: li.title,
      quantity: li.quantity,
      currentQuantity: li.quantity - li.refunded,
      variant: () => (li.variantId && this.shop.variants.get(li.variantId) ? this.variant(this.shop.variants.get(li.variantId)!) : null),
    };
  }

  fulfillmentOrder(fo: StandinFulfillmentOrder): Obj {
    return {
      __typename: "FulfillmentOrder",
      id: fo.id,
      orderId: fo.orderId,
      status: fo.status,
      updatedAt: fo.updatedAt,
      requestStatus: "UNSUBMITTED",
      order: () => this.order(this.shop.orders.get(fo.orderId)!),
      assignedLocation: () => ({
        __typename: "FulfillmentOrderAssignedLocation",
        name: this.shop.locations.get(fo.locationId)?.name ?? "",
        location: this.location(fo.locationId),
      }),
      fulfillmentHolds: fo.holds.map((h) => ({
        __typename: "FulfillmentHold",
        id: h.id,
        reason: h.reason,
        reasonNotes: h.reasonNotes,
        handle: h.handle,
        heldByRequestingApp: true,
      })),
      lineItems: (a: Args) =>
        this.connect(fo.lineItems, a, (l) => ({
          __typename: "FulfillmentOrderLineItem",
          id: l.id,
          totalQuantity: l.totalQuantity,
          remainingQuantity: l.remainingQuantity,
          lineItem: () => this.lineItem(fo.orderId, l.lineItemId),
        })),
    };
  }

  order(o: StandinOrder): Obj {
    return {
      __typename: "Order",
      id: o.id,
      legacyResourceId: restId(o.id),
      name: o.name,
      tags: o.tags,
      createdAt: o.createdAt,
      cancelledAt: o.cancelledAt,
      lineItems: (a: Args) => this.connect(o.lineItems, a, (l) => this.lineItem(o.id, l.id)!),
      fulfillmentOrders: (a: Args) => this.connect(this.shop.fulfillmentOrdersOf(o.id), a, (f) => this.fulfillmentOrder(f)),
      suggestedRefund: (a: Args) => suggestedRefund(o, (a.refundLineItems as RefundLineInput[] | undefined) ?? [], this.shop.currency),
    };
  }

  node(id: string): Obj | null {
    const type = id.split("/")[3];
    switch (type) {
      case "Product": {
        const p = this.shop.products.get(id);
        return p ? this.product(p) : null;
      }
      case "ProductVariant": {
        const v = this.shop.variants.get(id);
        return v ? this.variant(v) : null;
      }
      case "Collection": {
        const c = this.shop.collections.get(id);
        return c ? this.collection(c) : null;
      }
      case "Order": {
        const o = this.shop.readableOrder(id);
        return o ? this.order(o) : null;
      }
      case "FulfillmentOrder": {
        const f = this.shop.fulfillmentOrders.get(id);
        return f ? this.fulfillmentOrder(f) : null;
      }
      case "InventoryItem":
        return this.shop.variantOfItem(id) ? this.inventoryItem(id) : null;
      case "Shop":
        // The one shop served: a metafield owner (metafieldsSet on the shop's GID).
        return id === gid("Shop", this.shop.domain.split(".")[0]!) ? { __typename: "Shop", id } : null;
      case "Location":
        return this.location(id);
      case "BulkOperation":
        return this.bulkOperation(id);
      default:
        return null;
    }
  }

  queryRoot(): Obj {
    const s = this.shop;
    return {
      shop: () => ({
        __typename: "Shop",
        id: gid("Shop", s.domain.split(".")[0]!),
        name: s.name,
        myshopifyDomain: s.domain,
        ianaTimezone: s.timezone,
        currencyCode: s.currency,
      }),
      shopLocales: () => [{ __typename: "ShopLocale", locale: s.locale, primary: true, published: true, name: s.locale }],
      locations: (a: Args) => this.connect([...s.locations.keys()], a, (id) => this.location(id)!),
      location: (a: Args) => this.location(String(a.id)),
      themes: (a: Args) => {
        const roles = a.roles as string[] | undefined;
        return this.connect(
          s.themes.filter((t) => !roles || roles.includes(t.role)),
          a,
          (t) => this.theme(t),
        );
      },
      products: (a: Args) => this.connect([...s.products.values()], a, (p) => this.product(p)),
      product: (a: Args) => this.node(String(a.id)),
      productVariants: (a: Args) => this.connect([...s.variants.values()], a, (v) => this.variant(v)),
      productVariant: (a: Args) => this.node(String(a.id)),
      collection: (a: Args) => {
        const c = s.collections.get(String(a.id));
        return c ? this.collection(c) : null;
      },
      order: (a: Args) => this.node(String(a.id)),
      fulfillmentOrder: (a: Args) => this.node(String(a.id)),
      node: (a: Args) => this.node(String(a.id)),
      bulkOperation: (a: Args) => this.bulkOperation(String(a.id)),
      currentBulkOperation: (a: Args) => {
        const op = a.type === "MUTATION" ? null : this.bulk?.current(s);
        return op ? this.bulk!.view(op) : null;
      },
      nodes: (a: Args) => (a.ids as string[]).map((id) => this.node(id)),
    };
  }

  mutationRoot(): Obj {
    return {
      metafieldsSet: (a: Args) => this.metafieldsSet(a.metafields as MetafieldInput[]),
      metafieldsDelete: (a: Args) => this.metafieldsDelete(a.metafields as { ownerId: string; namespace: string; key: string }[]),
      productVariantsBulkUpdate: (a: Args) =>
        this.productVariantsBulkUpdate(String(a.productId), a.variants as { id?: string; inventoryPolicy?: "DENY" | "CONTINUE" }[]),
      tagsAdd: (a: Args) => this.tags(String(a.id), a.tags as string[], "add"),
      tagsRemove: (a: Args) => this.tags(String(a.id), a.tags as string[], "remove"),
      fulfillmentOrderHold: (a: Args) => this.hold(String(a.id), a.fulfillmentHold as HoldInput),
      fulfillmentOrderReleaseHold: (a: Args) => this.releaseHold(String(a.id), a.holdIds as string[] | undefined),
      orderCancel: (a: Args) => this.orderCancel(a),
      refundCreate: (a: Args, _context: unknown, info: GraphQLResolveInfo) => this.refundCreate(a.input as RefundInput, info),
      bulkOperationRunQuery: (a: Args) => {
        if (!this.bulk) throw new Error("this stand-in runs no bulk operations");
        const { operation, userErrors } = this.bulk.run(this.shop, String(a.query), a.groupObjects === true);
        return {
          bulkOperation: operation ? this.bulk.view(operation) : null,
          userErrors: userErrors.map((e) => ({ __typename: "BulkOperationUserError", ...e })),
        };
      },
      bulkOperationCancel: (a: Args) => {
        const op = this.bulk?.cancel(this.shop, String(a.id));
        const userErrors = op ? [] : [{ __typename: "UserError", field: ["id"], message: "Bulk operation does not exist" }];
        return { bulkOperation: op ? this.bulk!.view(op) : null, userErrors };
      },
      flowTriggerReceive: (a: Args) => this.flowTriggerReceive(a),
    };
  }

  private metafieldsSet(inputs: MetafieldInput[]) {
    const userErrors: Obj[] = [];
    if (inputs.length > 25) {
      userErrors.push({
        __typename: "MetafieldsSetUserError",
        field: ["metafields"],
        message: "Exceeded the maximum metafields input limit of 25.",
        code: "LESS_THAN_OR_EQUAL_TO",
        elementIndex: null,
      });
    }
    inputs.forEach((m, i) => {
      const err = (field: string, message: string, code: string) =>
        userErrors.push({ __typename: "MetafieldsSetUserError", field: ["metafields", String(i), field], message, code, elementIndex: i });
      if (!this.node(m.ownerId)) err("ownerId", "Owner does not exist.", "INVALID");
      const ns = resolveNamespace(m.namespace ?? "$app", this.appId);
      const existing = this.shop.metafield(m.ownerId, ns, m.key);
      const definition = this.definitionFor(m.ownerId, ns, m.key);
      if (!m.type && !existing && !definition) err("type", "Type can't be blank.", "BLANK");
      // A definition fixes the type (Shopify: INVALID_TYPE; its exact wording is not documented).
      if (definition && m.type && m.type !== definition.type)
        err("type", `Type must be '${definition.type}' as in the metafield definition.`, "INVALID_TYPE");
      if ((m.type ?? definition?.type ?? existing?.type) === "json") {
        try {
          JSON.parse(m.value);
        } catch {
          err("value", "Value is invalid JSON.", "INVALID_VALUE");
        }
      }
    });
    // All or nothing, as Shopify does for metafieldsSet.
    if (userErrors.length) return { metafields: [], userErrors };
    const written = inputs.map((m) => {
      const ns = resolveNamespace(m.namespace ?? "$app", this.appId);
      const type = m.type ?? this.definitionFor(m.ownerId, ns, m.key)?.type ?? this.shop.metafield(m.ownerId, ns, m.key)!.type;
      const row = this.shop.putMetafield({ ownerId: m.ownerId, namespace: ns, key: m.key, type, value: m.value });
      return this.metafield(row.ownerId, row.namespace, row.key)!;
    });
    return { metafields: written, userErrors };
  }

  /**
   * As shopify.dev documents metafieldsDelete: at most 25 identifiers; one that is not there
   * comes back null (the mutation still succeeds). Namespaces resolve like metafieldsSet's.
   */
  private metafieldsDelete(ids: { ownerId: string; namespace: string; key: string }[]) {
    if (ids.length > 25)
      return {
        deletedMetafields: null,
        userErrors: [{ __typename: "UserError", field: ["metafields"], message: "Exceeded the maximum metafields input limit of 25." }],
      };
    const deletedMetafields = ids.map((m) => {
      const ns = resolveNamespace(m.namespace, this.appId);
      return this.shop.deleteMetafield(m.ownerId, ns, m.key)
        ? { __typename: "MetafieldIdentifier", ownerId: m.ownerId, namespace: ns, key: m.key }
        : null;
    });
    return { deletedMetafields, userErrors: [] };
  }

  private productVariantsBulkUpdate(productId: string, variants: { id?: string; inventoryPolicy?: "DENY" | "CONTINUE" }[]) {
    const product = this.shop.products.get(productId);
    const err = (field: string[], message: string, code: string) => ({
      product: null,
      productVariants: null,
      userErrors: [{ __typename: "ProductVariantsBulkUpdateUserError", field, message, code }],
    });
    if (!product) return err(["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST");
    for (const [i, v] of variants.entries()) {
      if (!v.id) return err(["variants", String(i), "id"], "Product variant is missing ID attribute", "PRODUCT_VARIANT_ID_MISSING");
      if (!product.variantIds.includes(v.id))
        return err(["variants", String(i), "id"], "Product variant does not exist", "PRODUCT_VARIANT_DOES_NOT_EXIST");
    }
    for (const v of variants) {
      const row = this.shop.variants.get(v.id!)!;
      if (v.inventoryPolicy) row.inventoryPolicy = v.inventoryPolicy;
    }
    product.updatedAt = this.shop.nowIso();
    return {
      product: this.product(product),
      productVariants: variants.map((v) => this.variant(this.shop.variants.get(v.id!)!)),
      userErrors: [],
    };
  }

  private tags(id: string, tags: string[], op: "add" | "remove") {
    const target = this.shop.readableOrder(id) ?? this.shop.products.get(id);
    if (!target) return { node: null, userErrors: [{ __typename: "UserError", field: ["id"], message: "Resource not found" }] };
    const clean = tags.map((t) => t.trim()).filter(Boolean);
    if (op === "add") for (const t of clean) if (!target.tags.includes(t)) target.tags.push(t);
    if (op === "remove") target.tags = target.tags.filter((t) => !clean.includes(t));
    return { node: this.node(id), userErrors: [] };
  }

  /**
   * fulfillmentOrderHold as Shopify documents it (2026-10): with `fulfillmentOrderLineItems`
   * only those units are held: the fulfillment order is split, the held units move to a new
   * fulfillment order (`fulfillmentOrder` in the payload, on hold) and the rest stay in the
   * original (`remainingFulfillmentOrder`, still open). Line items are refused on a fulfillment
   * order already on hold (FULFILLMENT_ORDER_NOT_SPLITTABLE). Naming every unit holds the order whole.
   */
  private hold(id: string, input: HoldInput) {
    const fo = this.shop.fulfillmentOrders.get(id);
    const fail = (message: string, code: string, field: string[] = ["id"]) => ({
      fulfillmentHold: null,
      fulfillmentOrder: null,
      remainingFulfillmentOrder: null,
      userErrors: [{ __typename: "FulfillmentOrderHoldUserError", field, message, code }],
    });
    if (!fo) return fail("Fulfillment order does not exist.", "FULFILLMENT_ORDER_NOT_FOUND");
    if (!["OPEN", "ON_HOLD", "SCHEDULED"].includes(fo.status))
      return fail(`Fulfillment order cannot be put on hold from status ${fo.status}.`, "FULFILLMENT_ORDER_NOT_FOUND");
    if (input.handle && fo.holds.some((h) => h.handle === input.handle))
      return fail(
        "The handle provided for the fulfillment hold is already in use by this app for another hold on this fulfillment order.",
        "DUPLICATE_FULFILLMENT_HOLD_HANDLE",
      );
    // Every hold in the stand-in is this app's (heldByRequestingApp), so all count towards its limit.
    if (fo.holds.length >= MAX_HOLDS_PER_APP)
      return fail(
        "The maximum number of fulfillment holds for this fulfillment order has been reached for this app. An app can only have up to 10 holds on a single fulfillment order at any one time.",
        "FULFILLMENT_ORDER_HOLD_LIMIT_REACHED",
      );

    let target = fo;
    let remaining: StandinFulfillmentOrder | null = null;
    const units = input.fulfillmentOrderLineItems ?? [];
    if (units.length) {
      const field = ["fulfillmentHold", "fulfillmentOrderLineItems"];
      if (fo.status === "ON_HOLD")
        return fail("The fulfillment order is not in a splittable state.", "FULFILLMENT_ORDER_NOT_SPLITTABLE", field);
      if (new Set(units.map((u) => u.id)).size !== units.length)
        return fail("The fulfillment order line items are not unique.", "DUPLICATED_FULFILLMENT_ORDER_LINE_ITEMS", field);
      for (const u of units) {
        if (u.quantity <= 0) return fail("The fulfillment order line item quantity must be greater than 0.", "GREATER_THAN_ZERO", field);
        const line = fo.lineItems.find((l) => l.id === u.id);
        if (!line || u.quantity > line.remainingQuantity)
          return fail("The fulfillment order line item quantity is invalid.", "INVALID_LINE_ITEM_QUANTITY", field);
      }
      const whole = fo.lineItems.every((l) => l.remainingQuantity === (units.find((u) => u.id === l.id)?.quantity ?? 0));
      if (!whole) {
        const held: StandinFulfillmentOrder = {
          id: this.shop.newId("FulfillmentOrder"),
          orderId: fo.orderId,
          locationId: fo.locationId,
          status: fo.status,
          updatedAt: this.shop.nowIso(),
          holds: [],
          lineItems: units.map((u) => {
            const line = fo.lineItems.find((l) => l.id === u.id)!;
            line.remainingQuantity -= u.quantity;
            line.totalQuantity -= u.quantity;
            return {
              id: this.shop.newId("FulfillmentOrderLineItem"),
              lineItemId: line.lineItemId,
              totalQuantity: u.quantity,
              remainingQuantity: u.quantity,
            };
          }),
        };
        // A line whose units all moved is no longer on the original.
        fo.lineItems = fo.lineItems.filter((l) => l.totalQuantity > 0);
        this.shop.fulfillmentOrders.set(held.id, held);
        target = held;
        remaining = fo;
      }
    }
    const hold = {
      id: this.shop.newId("FulfillmentHold"),
      reason: input.reason,
      reasonNotes: input.reasonNotes ?? null,
      handle: input.handle ?? null,
    };
    target.holds.push(hold);
    target.status = "ON_HOLD";
    const view = this.fulfillmentOrder(target);
    return {
      fulfillmentHold: (view.fulfillmentHolds as Obj[]).at(-1),
      fulfillmentOrder: view,
      remainingFulfillmentOrder: remaining ? this.fulfillmentOrder(remaining) : null,
      userErrors: [],
    };
  }

  private releaseHold(id: string, holdIds: string[] | undefined) {
    const fo = this.shop.fulfillmentOrders.get(id);
    if (!fo)
      return {
        fulfillmentOrder: null,
        userErrors: [
          {
            __typename: "FulfillmentOrderReleaseHoldUserError",
            field: ["id"],
            message: "Fulfillment order does not exist.",
            code: "FULFILLMENT_ORDER_NOT_FOUND",
          },
        ],
      };
    fo.holds = holdIds ? fo.holds.filter((h) => !holdIds.includes(h.id)) : [];
    if (fo.holds.length === 0 && fo.status === "ON_HOLD") fo.status = "OPEN";
    return { fulfillmentOrder: this.fulfillmentOrder(fo), userErrors: [] };
  }

  /**
   * Flow's side of a trigger: the handle must be one of the app's trigger extensions and the
   * payload must carry exactly its declared fields, typed. Accepted triggers are recorded; a
   * shop with no workflow on the trigger (or without Flow) just accepts it, as Shopify does.
   */
  private flowTriggerReceive(a: Args) {
    const fail = (field: string, message: string) => ({ userErrors: [{ __typename: "UserError", field: [field], message }] });
    if (a.body !== undefined && a.body !== null) return fail("body", "body is deprecated: send handle and payload");
    flowTriggers ??= declaredFlowTriggers();
    const trigger = typeof a.handle === "string" ? flowTriggers.get(a.handle) : undefined;
    if (!trigger) return fail("handle", `No Flow trigger with handle ${String(a.handle)} belongs to this app.`);
    const errors = flowPayloadErrors(trigger, a.payload);
    if (errors.length) return { userErrors: errors.map((message) => ({ __typename: "UserError", field: ["payload"], message })) };
    this.shop.flowTriggers.push({ handle: trigger.handle, payload: a.payload as Record<string, unknown>, at: this.shop.nowIso() });
    return { userErrors: [] };
  }

  /**
   * refundCreate; its `@idempotent(key:)` is required since 2026-04 (the mutation's own
   * description): without one the field fails with an error and nothing is refunded.
   */
  private refundCreate(input: RefundInput, info: GraphQLResolveInfo) {
    const directive = info.fieldNodes[0]?.directives?.find((d) => d.name.value === "idempotent");
    const arg = directive?.arguments?.find((x) => x.name.value === "key");
    const key = arg ? valueFromASTUntyped(arg.value, info.variableValues) : undefined;
    if (typeof key !== "string" || key.trim() === "")
      throw new Error(
        arg
          ? "The idempotency key cannot be an empty string or whitespace only."
          : "An idempotency key is required for refundCreate: use the @idempotent directive.",
      );
    const result = createRefund(this.shop, input, key);
    if ("userErrors" in result)
      return { refund: null, order: null, userErrors: result.userErrors.map((e) => ({ __typename: "UserError", ...e })) };
    const { refund, order } = result;
    return {
      refund: {
        __typename: "Refund",
        id: refund.id,
        legacyResourceId: restId(refund.id),
        createdAt: refund.createdAt,
        processedAt: refund.createdAt,
        updatedAt: refund.createdAt,
        note: refund.note,
        order: () => this.order(order),
      },
      order: () => this.order(order),
      userErrors: [],
    };
  }

  private orderCancel(a: Args) {
    const order = this.shop.readableOrder(String(a.orderId));
    const fail = (message: string, code: string) => {
      const e = { __typename: "OrderCancelUserError", field: ["orderId"], message, code };
      return { job: null, orderCancelUserErrors: [e], userErrors: [{ __typename: "UserError", field: e.field, message }] };
    };
    if (!order) return fail("Order does not exist", "NOT_FOUND");
    if (order.cancelledAt) return fail("Cannot cancel an order that is already cancelled", "INVALID");
    order.cancelledAt = this.shop.nowIso();
    for (const fo of this.shop.fulfillmentOrdersOf(order.id)) {
      if (a.restock) {
        for (const l of fo.lineItems) {
          const variantId = order.lineItems.find((li) => li.id === l.lineItemId)?.variantId;
          const v = variantId ? this.shop.variants.get(variantId) : undefined;
          const level = v && this.shop.levels.get(`${v.inventoryItemId}|${fo.locationId}`);
          if (v) this.shop.setAvailable(v.inventoryItemId, fo.locationId, (level?.available ?? 0) + l.remainingQuantity);
        }
      }
      fo.status = "CLOSED";
      fo.holds = [];
      for (const l of fo.lineItems) l.remainingQuantity = 0;
    }
    return { job: { __typename: "Job", id: this.shop.newId("Job"), done: false }, orderCancelUserErrors: [], userErrors: [] };
  }
}

/** Active holds one app may keep on one fulfillment order (FulfillmentOrderHoldUserErrorCode docs). */
export const MAX_HOLDS_PER_APP = 10;

interface MetafieldInput {
  ownerId: string;
  namespace?: string;
  key: string;
  type?: string;
  value: string;
}
interface HoldInput {
  reason: string;
  reasonNotes?: string;
  handle?: string;
  fulfillmentOrderLineItems?: { id: string; quantity: number }[];
}
