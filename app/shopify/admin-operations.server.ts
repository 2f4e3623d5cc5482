// The Admin API operations the sync uses, one function per document of admin-queries.ts,
// typed by the generated types (admin-types.ts): the transport sends, this module pages
// through connections, batches to Shopify's limits and shapes the answers for the sync.
import { AdminApiError, AdminUserErrors } from "./admin-errors.ts";
import {
  ADD_TAGS,
  BULK_OPERATION,
  CANCEL_ORDER,
  CATALOG_VARIANTS,
  COLLECTION_PRODUCTS,
  DELETE_METAFIELDS,
  FLOW_TRIGGER_RECEIVE,
  FULFILLMENT_ORDER_PAGE,
  HOLD_FULFILLMENT_ORDER,
  LOCATED_FULFILLMENT_ORDER,
  MAIN_THEME_FILES,
  ORDER_FULFILLMENT_ORDERS,
  RELEASE_FULFILLMENT_ORDER_HOLD,
  REFUND_LINE,
  REMOVE_TAGS,
  RUN_BULK_QUERY,
  SET_METAFIELDS,
  SHOP_FACTS,
  SUGGEST_LINE_REFUND,
  UPDATE_VARIANT_POLICIES,
  VARIANT_PRODUCTS,
} from "./admin-queries.ts";
import { AdminTransport, type TransportOptions } from "./admin-transport.server.ts";
import type { AdminTypes, ResultOf, VariablesOf } from "./admin-types.ts";

export const METAFIELDS_PER_CALL = 25;

export type CatalogPage = ResultOf<typeof CATALOG_VARIANTS>["productVariants"];
export type BulkOperationView = NonNullable<ResultOf<typeof BULK_OPERATION>["bulkOperation"]>;

/** Shopify's BulkOperationStatus enum. */
export const BULK_OPERATION_STATUS = {
  created: "CREATED",
  running: "RUNNING",
  completed: "COMPLETED",
  failed: "FAILED",
  canceling: "CANCELING",
  canceled: "CANCELED",
  expired: "EXPIRED",
} as const satisfies Record<string, AdminTypes.BulkOperationStatus>;
export type BulkOperationStatus = AdminTypes.BulkOperationStatus;
/** Over without a result: the operation cannot be read from, a new one has to start. */
export const ENDED_BULK_OPERATION_STATUSES: ReadonlySet<BulkOperationStatus> = new Set([
  BULK_OPERATION_STATUS.failed,
  BULK_OPERATION_STATUS.canceled,
  BULK_OPERATION_STATUS.expired,
]);
type RawFulfillmentOrder = NonNullable<ResultOf<typeof FULFILLMENT_ORDER_PAGE>["fulfillmentOrder"]>;
type PageInfo = CatalogPage["pageInfo"];

/** A metafield to write: everything metafieldsSet lets one leave out, given. */
export type MetafieldWrite = Required<Pick<AdminTypes.MetafieldsSetInput, "ownerId" | "namespace" | "key" | "type" | "value">>;

export interface CollectionProductsPage {
  productIds: string[];
  pageInfo: PageInfo;
}

/** A fulfillment order with all its lines (`lineItemId`: the order's LineItem GID). */
export interface FulfillmentOrderView {
  id: string;
  status: RawFulfillmentOrder["status"];
  fulfillmentHolds: RawFulfillmentOrder["fulfillmentHolds"];
  lineItems: { id: string; remainingQuantity: number; lineItemId: string }[];
}

/** Where a fulfillment order is assigned and which lines it holds open (`lineItemId`: the order's LineItem GID). */
export interface LocatedFulfillmentOrder {
  id: string;
  orderId: string;
  status: RawFulfillmentOrder["status"];
  updatedAt: string;
  /** Null: Shopify shows none (a location the app cannot see). */
  locationId: string | null;
  lineItems: { lineItemId: string; remainingQuantity: number }[];
}

export interface OrderFulfillmentOrders {
  id: string;
  cancelledAt: string | null;
  fulfillmentOrders: FulfillmentOrderView[];
}

/**
 * One shop's Admin API operations. Built on a transport from the same options (the factory
 * in gateway.server.ts shares one throttle tracker per shop); `send`, `resultLines`, `now`
 * and `sleep` are the transport's, for tests' ad hoc documents and the bulk poller.
 */
export class AdminGateway {
  readonly shop: string;
  readonly transport: AdminTransport;

  constructor(options: TransportOptions) {
    this.shop = options.shop;
    this.transport = new AdminTransport(options);
  }

  send<T>(document: string, variables?: Record<string, unknown>) {
    return this.transport.send<T>(document, variables);
  }

  resultLines(url: string): AsyncGenerator<string> {
    return this.transport.resultLines(url);
  }

  now(): number {
    return this.transport.now();
  }

  sleep(ms: number): Promise<void> {
    return this.transport.sleep(ms);
  }

  async shopFacts() {
    const data = await this.transport.request(SHOP_FACTS);
    return {
      id: data.shop.id,
      timezone: data.shop.ianaTimezone,
      currency: data.shop.currencyCode,
      locale: data.shopLocales.find((l) => l.primary)?.locale ?? "en",
    };
  }

  /** The published theme's name and its text files by filename; null when the shop has no published theme. */
  async mainThemeFiles(): Promise<{ name: string; files: Map<string, string> } | null> {
    const theme = (await this.transport.request(MAIN_THEME_FILES)).themes?.nodes[0];
    if (!theme) return null;
    const files = new Map<string, string>();
    for (const f of theme.files?.nodes ?? []) {
      if ("content" in f.body) files.set(f.filename, f.body.content);
    }
    return { name: theme.name, files };
  }

  async catalogPage(after: string | null): Promise<CatalogPage> {
    return (await this.transport.request(CATALOG_VARIANTS, { after })).productVariants;
  }

  /**
   * Starts a bulk query. Shopify refusing because the shop's bulk operations are busy
   * (LIMIT_REACHED, OPERATION_IN_PROGRESS) passes: a transient error; other userErrors are permanent.
   */
  async runBulkQuery(query: string): Promise<{ id: string; status: BulkOperationView["status"] }> {
    const payload = (await this.transport.request(RUN_BULK_QUERY, { query })).bulkOperationRunQuery;
    const errors = payload?.userErrors ?? [];
    if (errors.some((e) => e.code === "LIMIT_REACHED" || e.code === "OPERATION_IN_PROGRESS")) {
      throw new AdminApiError(`RunBulkQuery: ${errors.map((e) => e.message).join("; ")}`, false, "RunBulkQuery", errors);
    }
    if (errors.length) throw new AdminUserErrors("RunBulkQuery", errors);
    if (!payload?.bulkOperation) throw new AdminApiError("RunBulkQuery: no bulk operation in the answer", true, "RunBulkQuery");
    return payload.bulkOperation;
  }

  /** A bulk operation by id; null when Shopify has none (another app's, or long gone). */
  async bulkOperation(id: string): Promise<BulkOperationView | null> {
    return (await this.transport.request(BULK_OPERATION, { id })).bulkOperation;
  }

  /** One page of a collection's product GIDs; null when Shopify has no such collection. */
  async collectionProductsPage(collectionId: string, after: string | null): Promise<CollectionProductsPage | null> {
    const { collection } = await this.transport.request(COLLECTION_PRODUCTS, { id: collectionId, after });
    if (!collection) return null;
    return { productIds: collection.products.nodes.map((n) => n.id), pageInfo: collection.products.pageInfo };
  }

  /** Product GID of each variant GID (null for variants Shopify does not have). */
  async productsOfVariants(variantIds: string[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    for (let i = 0; i < variantIds.length; i += 100) {
      const ids = variantIds.slice(i, i + 100);
      const { nodes } = await this.transport.request(VARIANT_PRODUCTS, { ids });
      // A node that is not a ProductVariant comes back as {} (the fragment does not apply).
      ids.forEach((id, j) => {
        const node = nodes[j] as { product?: { id: string } } | null | undefined;
        out.set(id, node?.product?.id ?? null);
      });
    }
    return out;
  }

  /** metafieldsSet in calls of at most 25. */
  async setMetafields(metafields: MetafieldWrite[]) {
    for (let i = 0; i < metafields.length; i += METAFIELDS_PER_CALL) {
      await this.transport.mutate(SET_METAFIELDS, { metafields: metafields.slice(i, i + METAFIELDS_PER_CALL) }, "metafieldsSet");
    }
  }

  /** metafieldsDelete in calls of at most 25; deleting one that is not there succeeds (the undo may run twice). */
  async deleteMetafields(metafields: AdminTypes.MetafieldIdentifierInput[]) {
    for (let i = 0; i < metafields.length; i += METAFIELDS_PER_CALL) {
      await this.transport.mutate(DELETE_METAFIELDS, { metafields: metafields.slice(i, i + METAFIELDS_PER_CALL) }, "metafieldsDelete");
    }
  }

  async setInventoryPolicies(productId: string, variants: { id: string; inventoryPolicy: AdminTypes.ProductVariantInventoryPolicy }[]) {
    await this.transport.mutate(UPDATE_VARIANT_POLICIES, { productId, variants }, "productVariantsBulkUpdate");
  }

  async addTags(id: string, tags: string[]) {
    await this.transport.mutate(ADD_TAGS, { id, tags }, "tagsAdd");
  }

  async removeTags(id: string, tags: string[]) {
    await this.transport.mutate(REMOVE_TAGS, { id, tags }, "tagsRemove");
  }

  /**
   * An order's fulfillment orders, every page of them and of their lines (Shopify pages
   * connections; a large order has more than one page). Null when Shopify shows no such
   * order (deleted, or older than 60 days without read_all_orders).
   */
  async orderFulfillmentOrders(orderId: string): Promise<OrderFulfillmentOrders | null> {
    const out: FulfillmentOrderView[] = [];
    let after: string | null = null;
    let order: { id: string; cancelledAt: string | null } | null = null;
    do {
      const data: ResultOf<typeof ORDER_FULFILLMENT_ORDERS> = await this.transport.request(ORDER_FULFILLMENT_ORDERS, {
        id: orderId,
        after,
      });
      if (!data.order) return null;
      order = { id: data.order.id, cancelledAt: data.order.cancelledAt };
      for (const fo of data.order.fulfillmentOrders.nodes) out.push(await this.withAllLines(fo));
      const pageInfo: PageInfo = data.order.fulfillmentOrders.pageInfo;
      after = pageInfo.hasNextPage ? pageInfo.endCursor : null;
    } while (after);
    return { ...order, fulfillmentOrders: out };
  }

  /** A fulfillment order by its id with all its lines; null when Shopify has none (or the app may not see it). */
  async fulfillmentOrder(id: string): Promise<FulfillmentOrderView | null> {
    const { fulfillmentOrder } = await this.transport.request(FULFILLMENT_ORDER_PAGE, { id, after: null });
    return fulfillmentOrder ? this.withAllLines(fulfillmentOrder) : null;
  }

  /** A fulfillment order's location and all its lines; null when Shopify has none (or the app may not see it). */
  async locatedFulfillmentOrder(id: string): Promise<LocatedFulfillmentOrder | null> {
    const { fulfillmentOrder: fo } = await this.transport.request(LOCATED_FULFILLMENT_ORDER, { id, after: null });
    if (!fo) return null;
    const lines = [...fo.lineItems.nodes];
    let page = fo.lineItems.pageInfo;
    while (page.hasNextPage && page.endCursor) {
      const { fulfillmentOrder } = await this.transport.request(LOCATED_FULFILLMENT_ORDER, { id, after: page.endCursor });
      if (!fulfillmentOrder) break;
      lines.push(...fulfillmentOrder.lineItems.nodes);
      page = fulfillmentOrder.lineItems.pageInfo;
    }
    return {
      id: fo.id,
      orderId: fo.orderId,
      status: fo.status,
      updatedAt: String(fo.updatedAt),
      locationId: fo.assignedLocation.location?.id ?? null,
      lineItems: lines.map((l) => ({ lineItemId: l.lineItem.id, remainingQuantity: l.remainingQuantity })),
    };
  }

  private async withAllLines(fo: RawFulfillmentOrder): Promise<FulfillmentOrderView> {
    const lines = [...fo.lineItems.nodes];
    let page = fo.lineItems.pageInfo;
    while (page.hasNextPage && page.endCursor) {
      const { fulfillmentOrder } = await this.transport.request(FULFILLMENT_ORDER_PAGE, { id: fo.id, after: page.endCursor });
      if (!fulfillmentOrder) break;
      lines.push(...fulfillmentOrder.lineItems.nodes);
      page = fulfillmentOrder.lineItems.pageInfo;
    }
    return {
      id: fo.id,
      status: fo.status,
      fulfillmentHolds: fo.fulfillmentHolds,
      lineItems: lines.map((l) => ({ id: l.id, remainingQuantity: l.remainingQuantity, lineItemId: l.lineItem.id })),
    };
  }

  /**
   * Places a hold; with `fulfillmentOrderLineItems`, Shopify splits the fulfillment order and
   * the hold is on `fulfillmentOrderId` (which may be a new id), the rest in `remainingFulfillmentOrderId`.
   */
  async holdFulfillmentOrder(
    id: string,
    hold: VariablesOf<typeof HOLD_FULFILLMENT_ORDER>["hold"],
  ): Promise<{ holdId: string; fulfillmentOrderId: string; remainingFulfillmentOrderId: string | null }> {
    const r = await this.transport.mutate(HOLD_FULFILLMENT_ORDER, { id, hold }, "fulfillmentOrderHold");
    if (!r.fulfillmentHold) throw new AdminApiError("HoldFulfillmentOrder: Shopify created no hold", true, "HoldFulfillmentOrder");
    return {
      holdId: r.fulfillmentHold.id,
      fulfillmentOrderId: r.fulfillmentOrder?.id ?? id,
      remainingFulfillmentOrderId: r.remainingFulfillmentOrder?.id ?? null,
    };
  }

  async releaseFulfillmentOrderHold(id: string, holdIds: string[]) {
    await this.transport.mutate(RELEASE_FULFILLMENT_ORDER_HOLD, { id, holdIds }, "fulfillmentOrderReleaseHold");
  }

  async cancelOrder(input: VariablesOf<typeof CANCEL_ORDER>) {
    await this.transport.mutate(CANCEL_ORDER, input, "orderCancel", "orderCancelUserErrors");
  }

  /**
   * Refunds `quantity` unfulfilled units of one line and puts them back in stock (restockType
   * CANCEL at `locationId`), paying back what Shopify suggests for them against the original
   * payment. `idempotencyKey`: the same key gives the same refund (a retry never refunds twice).
   */
  async refundLineItem(input: {
    orderId: string;
    lineItemId: string;
    quantity: number;
    locationId: string | null;
    idempotencyKey: string;
    note: string;
  }): Promise<{ refundId: string; createdAt: string }> {
    const refundLineItems: AdminTypes.RefundLineItemInput[] = [
      {
        lineItemId: input.lineItemId,
        quantity: input.quantity,
        restockType: "CANCEL",
        ...(input.locationId ? { locationId: input.locationId } : {}),
      },
    ];
    const { order } = await this.transport.request(SUGGEST_LINE_REFUND, { orderId: input.orderId, refundLineItems });
    if (!order) throw new AdminApiError(`SuggestLineRefund: Shopify has no order ${input.orderId} for the app`, true, "SuggestLineRefund");
    const suggested = order.suggestedRefund?.suggestedTransactions ?? [];
    const transactions = suggested
      .filter((t) => t.parentTransaction && Number(t.amountSet.presentmentMoney.amount) > 0)
      .map((t) => ({
        orderId: input.orderId,
        parentId: t.parentTransaction!.id,
        gateway: t.gateway ?? "",
        kind: "REFUND" as const,
        amount: t.amountSet.presentmentMoney.amount,
      }));
    const currency = suggested[0]?.amountSet.presentmentMoney.currencyCode;
    const r = await this.transport.mutate(
      REFUND_LINE,
      {
        input: { orderId: input.orderId, note: input.note, notify: true, refundLineItems, transactions, ...(currency ? { currency } : {}) },
        idempotencyKey: input.idempotencyKey,
      },
      "refundCreate",
    );
    if (!r.refund) throw new AdminApiError("RefundLine: no refund in the answer", true, "RefundLine");
    return { refundId: String(r.refund.legacyResourceId), createdAt: String(r.refund.createdAt) };
  }

  /** Starts the shop's Flow workflows that use the trigger; userErrors (unknown handle, bad payload) are permanent. */
  async flowTriggerReceive(handle: string, payload: Record<string, unknown>) {
    await this.transport.mutate(FLOW_TRIGGER_RECEIVE, { handle, payload }, "flowTriggerReceive");
  }
}
