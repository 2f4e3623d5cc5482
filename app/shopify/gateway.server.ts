// The one door to Shopify's Admin GraphQL API for background work: a graphql-request
// client per shop with the offline session's token, cost-aware throttling (Shopify's
// leaky bucket as the responses report it), retries with backoff on THROTTLED, 429,
// 5xx and network failures, one token refresh when Shopify refuses the token (401: an
// expiring offline token that ran out), and typed errors for what retrying cannot fix.
import { ClientError, GraphQLClient } from "graphql-request";
import type { Db } from "../db/client.server.ts";
import { runtimeConfig } from "../config.server.ts";
import {
  ADD_TAGS,
  BULK_OPERATION,
  RUN_BULK_QUERY,
  CANCEL_ORDER,
  FLOW_TRIGGER_RECEIVE,
  CATALOG_VARIANTS,
  COLLECTION_PRODUCTS,
  FULFILLMENT_ORDER_PAGE,
  HOLD_FULFILLMENT_ORDER,
  ORDER_FULFILLMENT_ORDERS,
  RELEASE_FULFILLMENT_ORDER_HOLD,
  REMOVE_TAGS,
  SET_METAFIELDS,
  DELETE_METAFIELDS,
  SHOP_FACTS,
  UPDATE_VARIANT_POLICIES,
  VARIANT_PRODUCTS,
} from "./admin-queries.ts";

/** Keep in step with API_VERSION in app/shopify-app.server.ts and shopify.app.toml. */
export const ADMIN_API_VERSION = "2026-10";

export const METAFIELDS_PER_CALL = 25;

export const gid = (type: string, id: string) => (id.startsWith("gid://") ? id : `gid://shopify/${type}/${id}`);
/** The numeric (REST) id the webhooks and our tables use. */
export const restId = (g: string) => g.slice(g.lastIndexOf("/") + 1).split("?")[0]!;

/**
 * A failed Admin API call. `permanent`: retrying the same request cannot succeed
 * (validation errors, access, userErrors, unknown objects); otherwise it may later.
 */
export class AdminApiError extends Error {
  override name = "AdminApiError";
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly operation: string,
    readonly details: unknown = undefined,
  ) {
    super(message);
  }
}

export interface UserError {
  field?: string[] | null;
  message: string;
  code?: string | null;
  elementIndex?: number | null;
}

/** A mutation Shopify refused with userErrors: permanent for this input. */
export class AdminUserErrors extends AdminApiError {
  override name = "AdminUserErrors";
  constructor(
    operation: string,
    readonly userErrors: UserError[],
  ) {
    super(`${operation}: ${userErrors.map((e) => `${e.field?.join(".") ?? "-"}: ${e.message}`).join("; ")}`, true, operation, userErrors);
  }
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

interface CostExtension {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus?: ThrottleStatus;
}

/** What the gateway last heard of a shop's bucket; shared by the gateways of one factory. */
export class ThrottleTracker {
  private status?: ThrottleStatus;
  private at = 0;
  private readonly costs = new Map<string, number>();

  observe(status: ThrottleStatus, at: number) {
    this.status = status;
    this.at = at;
  }

  rememberCost(operation: string, requested: number) {
    this.costs.set(operation, requested);
  }

  estimate(operation: string, isMutation: boolean): number {
    return this.costs.get(operation) ?? (isMutation ? 10 : 100);
  }

  /** Milliseconds to wait before `cost` points are available (0: send now). */
  waitFor(cost: number, now: number): number {
    if (!this.status) return 0;
    const { maximumAvailable, currentlyAvailable, restoreRate } = this.status;
    const projected = Math.min(maximumAvailable, currentlyAvailable + ((now - this.at) / 1000) * restoreRate);
    const need = Math.min(cost, maximumAvailable);
    return projected >= need ? 0 : Math.ceil(((need - projected) / restoreRate) * 1000);
  }
}

export type TokenProvider = (shop: string) => Promise<string>;
/**
 * A token to use instead of `rejected` (one Shopify just refused with 401, or one about to
 * expire): the stored one if another process refreshed it meanwhile, else a refreshed one
 * (app/shopify/offline-token.server.ts).
 */
export type TokenRefresher = (shop: string, rejected: string) => Promise<string>;

/** An offline token is refreshed this long before it expires (as shopify-app-remix does). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

export interface GatewayOptions {
  shop: string;
  accessToken: TokenProvider;
  /**
   * Called when Shopify answers 401, at most once per request; the request is sent again
   * with the token it returns, which this gateway keeps using. Without it a 401 is permanent.
   */
  refreshAccessToken?: TokenRefresher;
  /** e.g. http://127.0.0.1:3457 for the stand-in; default https://<shop>. */
  origin?: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  throttle?: ThrottleTracker;
  /** Retries of a transient failure (5xx, 429, network) before giving up. */
  maxRetries?: number;
  /** THROTTLED answers waited out before giving up (they are expected under load). */
  maxThrottledWaits?: number;
  backoffBaseMs?: number;
}

export interface Sent<T> {
  data: T;
  cost?: CostExtension;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const isMutation = (doc: string) => /^\s*mutation\b/.test(doc.replace(/^\s*#.*$/gm, ""));
const operationNameOf = (doc: string) => /\b(?:query|mutation)\s+(\w+)/.exec(doc)?.[1] ?? "anonymous";

export class AdminGateway {
  readonly shop: string;
  private readonly opts: Required<Omit<GatewayOptions, "origin" | "fetch" | "refreshAccessToken">> &
    Pick<GatewayOptions, "fetch" | "refreshAccessToken">;
  private readonly url: string;
  /** The token a refresh gave after a 401; until then each request asks `accessToken`. */
  private refreshedToken: string | null = null;

  constructor(options: GatewayOptions) {
    this.shop = options.shop;
    this.url = `${options.origin ?? `https://${options.shop}`}/admin/api/${ADMIN_API_VERSION}/graphql.json`;
    this.opts = {
      shop: options.shop,
      accessToken: options.accessToken,
      refreshAccessToken: options.refreshAccessToken,
      fetch: options.fetch,
      sleep: options.sleep ?? realSleep,
      now: options.now ?? (() => Date.now()),
      throttle: options.throttle ?? new ThrottleTracker(),
      maxRetries: options.maxRetries ?? 4,
      maxThrottledWaits: options.maxThrottledWaits ?? 20,
      backoffBaseMs: options.backoffBaseMs ?? 1000,
    };
  }

  /** Sends one document; waits for the bucket, retries what may pass later, throws AdminApiError otherwise. */
  async send<T>(document: string, variables: Record<string, unknown> = {}): Promise<Sent<T>> {
    const operation = operationNameOf(document);
    const mutation = isMutation(document);
    const { throttle, sleep, now } = this.opts;
    let failures = 0;
    let throttledWaits = 0;
    let refreshed = false;
    for (;;) {
      const wait = throttle.waitFor(throttle.estimate(operation, mutation), now());
      if (wait > 0) await sleep(wait);

      const token = await this.token();
      let outcome: Outcome<T>;
      try {
        outcome = await this.once<T>(document, variables, operation, token);
      } catch (e) {
        if (e instanceof AdminApiError) throw e;
        outcome = { kind: "transient", error: `network: ${(e as Error).message}` };
      }
      if (outcome.cost?.throttleStatus) throttle.observe(outcome.cost.throttleStatus, now());
      if (outcome.cost?.requestedQueryCost != null) throttle.rememberCost(operation, outcome.cost.requestedQueryCost);

      switch (outcome.kind) {
        case "ok":
          return { data: outcome.data, cost: outcome.cost };
        case "permanent":
          throw new AdminApiError(`${operation}: ${outcome.error}`, true, operation, outcome.details);
        case "unauthorized": {
          const refresh = this.opts.refreshAccessToken;
          if (refreshed || !refresh) {
            throw new AdminApiError(
              `${operation}: Shopify refused the access token${refreshed ? " also after refreshing it" : ""} (${outcome.error})${REAUTHORIZE}`,
              true,
              operation,
              { status: 401 },
            );
          }
          refreshed = true;
          let next: string;
          try {
            next = await refresh(this.shop, token);
          } catch (e) {
            throw refreshFailure(operation, this.shop, e);
          }
          if (next === token)
            throw new AdminApiError(
              `${operation}: Shopify refused the access token and refreshing gave the same one${REAUTHORIZE}`,
              true,
              operation,
              { status: 401 },
            );
          this.refreshedToken = next;
          continue;
        }
        case "throttled": {
          if (++throttledWaits > this.opts.maxThrottledWaits) {
            throw new AdminApiError(`${operation}: still throttled after ${throttledWaits - 1} waits`, false, operation);
          }
          // Wait until the bucket holds what this request asked for.
          const need = outcome.cost?.requestedQueryCost ?? throttle.estimate(operation, mutation);
          await sleep(Math.max(throttle.waitFor(need, now()), 50));
          continue;
        }
        case "transient": {
          if (++failures > this.opts.maxRetries) {
            throw new AdminApiError(`${operation}: ${outcome.error} (gave up after ${failures} tries)`, false, operation);
          }
          const backoff = Math.min(30_000, this.opts.backoffBaseMs * 2 ** (failures - 1));
          await sleep(Math.max(backoff, outcome.retryAfterMs ?? 0));
          continue;
        }
      }
    }
  }

  private async token(): Promise<string> {
    return this.refreshedToken ?? (await this.opts.accessToken(this.shop));
  }

  private async once<T>(document: string, variables: Record<string, unknown>, operation: string, token: string): Promise<Outcome<T>> {
    const client = new GraphQLClient(this.url, {
      headers: { "X-Shopify-Access-Token": token },
      errorPolicy: "all",
      ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}),
    });
    try {
      const res = await client.rawRequest<T>(document, variables);
      const cost = (res.extensions as { cost?: CostExtension } | undefined)?.cost;
      const errors = (res.errors ?? []) as { message: string; extensions?: { code?: string } }[];
      if (errors.length === 0) return { kind: "ok", data: res.data, cost };
      const codes = errors.map((e) => e.extensions?.code);
      if (codes.includes("THROTTLED")) return { kind: "throttled", cost };
      const message = errors.map((e) => e.message).join("; ");
      if (codes.every((c) => c === "INTERNAL_SERVER_ERROR")) return { kind: "transient", error: message, cost };
      return { kind: "permanent", error: message, details: errors, cost };
    } catch (e) {
      if (!(e instanceof ClientError)) throw e;
      const status = e.response.status;
      if (status === 429 || status >= 500) {
        const retryAfter = Number(e.response.headers?.get?.("retry-after"));
        return {
          kind: "transient",
          error: `HTTP ${status}`,
          retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
        };
      }
      const body =
        typeof e.response.body === "string" ? e.response.body.slice(0, 300) : JSON.stringify(e.response.errors ?? "").slice(0, 300);
      if (status === 401) return { kind: "unauthorized", error: `HTTP 401 ${body}` };
      throw new AdminApiError(`${operation}: HTTP ${status} ${body}`, true, operation, { status });
    }
  }

  /** Sends a mutation and raises its userErrors (the payload's `userErrors`-like list). */
  async mutate<T extends Record<string, unknown>>(
    document: string,
    variables: Record<string, unknown>,
    root: keyof T & string,
    errorsKey = "userErrors",
  ): Promise<T[typeof root]> {
    const { data } = await this.send<T>(document, variables);
    const payload = data[root] as Record<string, unknown> | null;
    const userErrors = (payload?.[errorsKey] ?? []) as UserError[];
    if (userErrors.length) throw new AdminUserErrors(operationNameOf(document), userErrors);
    if (!payload) throw new AdminApiError(`${operationNameOf(document)}: empty payload`, true, operationNameOf(document));
    return data[root];
  }

  // ---- the operations the sync uses ----

  async shopFacts() {
    const { data } = await this.send<{
      shop: { id: string; ianaTimezone: string; currencyCode: string };
      shopLocales: { locale: string; primary: boolean }[];
    }>(SHOP_FACTS);
    return {
      id: data.shop.id,
      timezone: data.shop.ianaTimezone,
      currency: data.shop.currencyCode,
      locale: data.shopLocales.find((l) => l.primary)?.locale ?? "en",
    };
  }

  async catalogPage(after: string | null) {
    const { data } = await this.send<{ productVariants: CatalogPage }>(CATALOG_VARIANTS, { after });
    return data.productVariants;
  }

  /**
   * Starts a bulk query. Shopify refusing because the shop's bulk operations are busy
   * (LIMIT_REACHED, OPERATION_IN_PROGRESS) passes: a transient error; other userErrors are permanent.
   */
  async runBulkQuery(query: string): Promise<{ id: string; status: string }> {
    type Payload = { bulkOperationRunQuery: { bulkOperation: { id: string; status: string } | null; userErrors: UserError[] } | null };
    const { data } = await this.send<Payload>(RUN_BULK_QUERY, { query });
    const payload = data.bulkOperationRunQuery;
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
    const { data } = await this.send<{ bulkOperation: BulkOperationView | null }>(BULK_OPERATION, { id });
    return data.bulkOperation;
  }

  /**
   * The lines of a bulk operation's JSONL result, read as they arrive (never the whole file
   * in memory). The URL is signed: no access token. A failed or broken download is a
   * transient AdminApiError (the caller resumes from the lines it has applied).
   */
  async *resultLines(url: string): AsyncGenerator<string> {
    const fetchImpl = this.opts.fetch ?? fetch;
    const fail = (why: string) => new AdminApiError(`bulk result download: ${why}`, false, "BulkResult");
    let res: Response;
    try {
      res = await fetchImpl(url);
    } catch (e) {
      throw fail(`network: ${(e as Error).message}`);
    }
    if (!res.ok || !res.body) throw fail(`HTTP ${res.status}`);
    try {
      // Node's fetch body is async-iterable (the DOM typings do not say so).
      yield* jsonlLines(res.body as unknown as AsyncIterable<Uint8Array>);
    } catch (e) {
      throw e instanceof AdminApiError ? e : fail(`interrupted: ${(e as Error).message}`);
    }
  }

  /** The gateway's clock and sleep (a test's fake ones), for callers that poll. */
  now(): number {
    return this.opts.now();
  }

  sleep(ms: number): Promise<void> {
    return this.opts.sleep(ms);
  }

  /** One page of a collection's product GIDs; null when Shopify has no such collection. */
  async collectionProductsPage(collectionId: string, after: string | null): Promise<CollectionProductsPage | null> {
    const { data } = await this.send<{
      collection: { products: { pageInfo: CollectionProductsPage["pageInfo"]; nodes: { id: string }[] } } | null;
    }>(COLLECTION_PRODUCTS, { id: collectionId, after });
    if (!data.collection) return null;
    return { productIds: data.collection.products.nodes.map((n) => n.id), pageInfo: data.collection.products.pageInfo };
  }

  /** Product GID of each variant GID (null for variants Shopify does not have). */
  async productsOfVariants(variantIds: string[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    for (let i = 0; i < variantIds.length; i += 100) {
      const ids = variantIds.slice(i, i + 100);
      const { data } = await this.send<{ nodes: ({ id: string; product: { id: string } } | null | Record<string, never>)[] }>(
        VARIANT_PRODUCTS,
        { ids },
      );
      ids.forEach((id, j) => {
        const node = data.nodes[j] as { product?: { id: string } } | null;
        out.set(id, node?.product?.id ?? null);
      });
    }
    return out;
  }

  /** metafieldsSet in calls of at most 25. */
  async setMetafields(metafields: MetafieldWrite[]) {
    for (let i = 0; i < metafields.length; i += METAFIELDS_PER_CALL) {
      await this.mutate<{ metafieldsSet: unknown }>(
        SET_METAFIELDS,
        { metafields: metafields.slice(i, i + METAFIELDS_PER_CALL) },
        "metafieldsSet",
      );
    }
  }

  /** metafieldsDelete in calls of at most 25; deleting one that is not there succeeds (the undo may run twice). */
  async deleteMetafields(metafields: { ownerId: string; namespace: string; key: string }[]) {
    for (let i = 0; i < metafields.length; i += METAFIELDS_PER_CALL) {
      await this.mutate<{ metafieldsDelete: unknown }>(
        DELETE_METAFIELDS,
        { metafields: metafields.slice(i, i + METAFIELDS_PER_CALL) },
        "metafieldsDelete",
      );
    }
  }

  async setInventoryPolicies(productId: string, variants: { id: string; inventoryPolicy: "CONTINUE" | "DENY" }[]) {
    await this.mutate<{ productVariantsBulkUpdate: unknown }>(
      UPDATE_VARIANT_POLICIES,
      { productId, variants },
      "productVariantsBulkUpdate",
    );
  }

  async addTags(id: string, tags: string[]) {
    await this.mutate<{ tagsAdd: unknown }>(ADD_TAGS, { id, tags }, "tagsAdd");
  }

  async removeTags(id: string, tags: string[]) {
    await this.mutate<{ tagsRemove: unknown }>(REMOVE_TAGS, { id, tags }, "tagsRemove");
  }

  /**
   * An order's fulfillment orders, every page of them and of their lines (Shopify pages
   * connections; a large order has more than one page). Null when Shopify shows no such
   * order (deleted, or older than 60 days without read_all_orders).
   */
  async orderFulfillmentOrders(orderId: string): Promise<OrderFulfillmentOrders | null> {
    type Page = {
      order: { id: string; cancelledAt: string | null; fulfillmentOrders: { pageInfo: PageInfo; nodes: RawFulfillmentOrder[] } } | null;
    };
    const out: FulfillmentOrderView[] = [];
    let after: string | null = null;
    let order: { id: string; cancelledAt: string | null } | null = null;
    do {
      const sent: Sent<Page> = await this.send<Page>(ORDER_FULFILLMENT_ORDERS, { id: orderId, after });
      const data: Page = sent.data;
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
    const { data } = await this.send<{ fulfillmentOrder: RawFulfillmentOrder | null }>(FULFILLMENT_ORDER_PAGE, { id, after: null });
    return data.fulfillmentOrder ? this.withAllLines(data.fulfillmentOrder) : null;
  }

  private async withAllLines(fo: RawFulfillmentOrder): Promise<FulfillmentOrderView> {
    const lines = [...fo.lineItems.nodes];
    let page = fo.lineItems.pageInfo;
    while (page.hasNextPage && page.endCursor) {
      const { data } = await this.send<{ fulfillmentOrder: RawFulfillmentOrder | null }>(FULFILLMENT_ORDER_PAGE, {
        id: fo.id,
        after: page.endCursor,
      });
      if (!data.fulfillmentOrder) break;
      lines.push(...data.fulfillmentOrder.lineItems.nodes);
      page = data.fulfillmentOrder.lineItems.pageInfo;
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
    hold: {
      reason: string;
      reasonNotes?: string;
      handle?: string;
      notifyMerchant?: boolean;
      fulfillmentOrderLineItems?: { id: string; quantity: number }[];
    },
  ): Promise<{ holdId: string; fulfillmentOrderId: string; remainingFulfillmentOrderId: string | null }> {
    type Payload = {
      fulfillmentHold: { id: string } | null;
      fulfillmentOrder: { id: string } | null;
      remainingFulfillmentOrder: { id: string } | null;
    };
    const r = await this.mutate<{ fulfillmentOrderHold: Payload }>(HOLD_FULFILLMENT_ORDER, { id, hold }, "fulfillmentOrderHold");
    if (!r.fulfillmentHold) throw new AdminApiError("HoldFulfillmentOrder: Shopify created no hold", true, "HoldFulfillmentOrder");
    return {
      holdId: r.fulfillmentHold.id,
      fulfillmentOrderId: r.fulfillmentOrder?.id ?? id,
      remainingFulfillmentOrderId: r.remainingFulfillmentOrder?.id ?? null,
    };
  }

  async releaseFulfillmentOrderHold(id: string, holdIds: string[]) {
    await this.mutate<{ fulfillmentOrderReleaseHold: unknown }>(
      RELEASE_FULFILLMENT_ORDER_HOLD,
      { id, holdIds },
      "fulfillmentOrderReleaseHold",
    );
  }

  async cancelOrder(input: {
    orderId: string;
    reason: string;
    restock: boolean;
    notifyCustomer: boolean;
    refundMethod?: Record<string, unknown>;
    staffNote?: string;
  }) {
    await this.mutate<{ orderCancel: unknown }>(CANCEL_ORDER, input, "orderCancel", "orderCancelUserErrors");
  }

  /** Starts the shop's Flow workflows that use the trigger; userErrors (unknown handle, bad payload) are permanent. */
  async flowTriggerReceive(handle: string, payload: Record<string, unknown>) {
    await this.mutate<{ flowTriggerReceive: unknown }>(FLOW_TRIGGER_RECEIVE, { handle, payload }, "flowTriggerReceive");
  }
}

type Outcome<T> =
  | { kind: "ok"; data: T; cost?: CostExtension }
  | { kind: "unauthorized"; error: string; cost?: CostExtension }
  | { kind: "throttled"; cost?: CostExtension }
  | { kind: "transient"; error: string; retryAfterMs?: number; cost?: CostExtension }
  | { kind: "permanent"; error: string; details?: unknown; cost?: CostExtension };

export interface MetafieldWrite {
  ownerId: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
}

export interface CatalogPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: {
    id: string;
    title: string;
    sku: string | null;
    price: string;
    inventoryPolicy: "CONTINUE" | "DENY";
    product: { id: string; title: string; tags: string[]; updatedAt: string };
    inventoryItem: {
      id: string;
      inventoryLevels: { nodes: { updatedAt: string; location: { id: string }; quantities: { name: string; quantity: number }[] }[] };
    };
  }[];
}

export interface BulkOperationView {
  id: string;
  status: "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELING" | "CANCELED" | "EXPIRED";
  errorCode: "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT" | null;
  /** UnsignedInt64, as a string. */
  objectCount: string;
  url: string | null;
  partialDataUrl: string | null;
}

/** Lines of a byte stream (UTF-8, \n or \r\n), empty ones skipped; only one line is held at a time. */
export async function* jsonlLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of body) {
    rest += decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl: number;
    while ((nl = rest.indexOf("\n", start)) >= 0) {
      const line = rest.slice(start, nl).replace(/\r$/, "");
      start = nl + 1;
      if (line.trim()) yield line;
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest.trim()) yield rest.replace(/\r$/, "");
}

export interface CollectionProductsPage {
  productIds: string[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

interface RawFulfillmentOrder {
  id: string;
  status: string;
  fulfillmentHolds: { id: string; handle: string | null }[];
  lineItems: { pageInfo: PageInfo; nodes: { id: string; remainingQuantity: number; lineItem: { id: string } }[] };
}

/** A fulfillment order with all its lines (`lineItemId`: the order's LineItem GID). */
export interface FulfillmentOrderView {
  id: string;
  status: string;
  fulfillmentHolds: { id: string; handle: string | null }[];
  lineItems: { id: string; remainingQuantity: number; lineItemId: string }[];
}

export interface OrderFulfillmentOrders {
  id: string;
  cancelledAt: string | null;
  fulfillmentOrders: FulfillmentOrderView[];
}

const REAUTHORIZE = ". Open the app in the Shopify admin to authorize it again, then retry.";

/**
 * A token that could not be had (a failed refresh, no session): an AdminApiError that
 * says so, permanent unless the cause says it may pass (e.g. Shopify's token endpoint
 * answered 5xx), so the task keeps it for the merchant instead of retrying blindly.
 */
function refreshFailure(operation: string, shop: string, e: unknown): AdminApiError {
  const cause = e instanceof Error ? e.message : String(e);
  const permanent = e instanceof AdminApiError ? e.permanent : true;
  return new AdminApiError(
    `${operation}: could not refresh the offline access token of ${shop}: ${cause}${permanent ? REAUTHORIZE : ""}`,
    permanent,
    "auth",
    e,
  );
}

// ---- construction ----

/** The offline session's token (shopify-app-session-storage-prisma rows: id `offline_<shop>`). */
export function sessionTokenProvider(db: Db, refresh?: TokenRefresher, now: () => number = () => Date.now()): TokenProvider {
  return async (shop) => {
    const session = await db.session.findUnique({ where: { id: `offline_${shop}` } });
    if (!session) throw new AdminApiError(`no offline session for ${shop} (is the app installed?)`, true, "auth");
    // Expiring offline tokens: refreshed a few minutes early when the app can.
    if (session.expires && session.expires.getTime() - REFRESH_MARGIN_MS <= now()) {
      if (!refresh) throw new AdminApiError(`offline session for ${shop} expired at ${session.expires.toISOString()}`, false, "auth");
      try {
        return await refresh(shop, session.accessToken);
      } catch (e) {
        throw refreshFailure("auth", shop, e);
      }
    }
    return session.accessToken;
  };
}

export type GatewayFactory = (shop: string) => AdminGateway;

export interface GatewayFactoryOptions extends Omit<GatewayOptions, "shop" | "accessToken" | "refreshAccessToken" | "throttle" | "origin"> {
  accessToken?: TokenProvider;
  origin?: string;
  /**
   * A fresh offline token for the shop, stored in the session (offlineTokenRefresher: one
   * refresh per shop at a time across processes): called when the session is about to
   * expire and when Shopify refuses the stored token.
   */
  refresh?: TokenRefresher;
}

/**
 * Gateways for any shop, sharing one throttle tracker per shop. The Admin origin comes
 * from SHOPIFY_ADMIN_API_ORIGIN when set (the offline demo's stand-in), else https://<shop>.
 */
export function createGatewayFactory(db: Db, options: GatewayFactoryOptions = {}): GatewayFactory {
  const trackers = new Map<string, ThrottleTracker>();
  const origin = options.origin ?? runtimeConfig().adminApiOrigin;
  const accessToken = options.accessToken ?? sessionTokenProvider(db, options.refresh, options.now);
  const refreshAccessToken = options.refresh;
  return (shop) => {
    let throttle = trackers.get(shop);
    if (!throttle) trackers.set(shop, (throttle = new ThrottleTracker()));
    return new AdminGateway({ ...options, shop, accessToken, refreshAccessToken, throttle, origin });
  };
}
