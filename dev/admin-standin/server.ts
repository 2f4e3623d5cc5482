// A local stand-in for Shopify's Admin GraphQL API (POST /admin/api/<version>/graphql.json),
// for tests and the offline demo. Every request is authenticated by its access token,
// parsed and validated against Shopify's real Admin schema, checked against the installed
// app's access scopes (the schema's requiredAccess notes), charged against a leaky
// bucket with Shopify's cost rules, and run by resolvers over in-memory shops.
// Tests read the call log, inject failures and drive time through `clock`.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { execute, getOperationAST, Kind, type FragmentDefinitionNode, type GraphQLError, type SelectionNode } from "graphql";
import { ADMIN_API_VERSION, adminSchema, checkDocument } from "./schema.ts";
import { metafieldOwnerAccess, operationAccess, satisfies, type FieldAccess } from "./access.ts";
import { CostBucket, MAX_SINGLE_QUERY_COST, operationCost } from "./cost.ts";
import { ShopResolvers, resolveNamespace } from "./resolvers.ts";
import { BulkOperations } from "./bulk.ts";
import fs from "node:fs";
import { STOREFRONT_METAFIELD } from "../../app/backorder/storefront-status.ts";
import { restId, StandinShop, type ShopInit, type StorefrontProductView } from "./state.ts";

export const STANDIN_APP_ID = "7430918145";

export interface StandinCall {
  shop: string;
  operationName: string | null;
  operation: "query" | "mutation" | null;
  query: string;
  variables: Record<string, unknown>;
  /** HTTP status answered. */
  status: number;
  /** The top-level `errors` codes (or messages) answered, e.g. THROTTLED. */
  errors: string[];
  requestedQueryCost: number | null;
  actualQueryCost: number | null;
}

/** A request to the OAuth token endpoint (a refresh of an expiring offline token). */
export interface StandinTokenRequest {
  /** The shop whose refresh token was presented (null: no shop has it, e.g. one already spent). */
  shop: string | null;
  grantType: string | null;
  status: number;
  /** The OAuth error answered (invalid_grant, invalid_client, ...), null on success. */
  error: string | null;
}

/** A refresh token lives 90 days (shopify.dev changelog, "More resilient refreshes for expiring offline access tokens"). */
const REFRESH_TOKEN_TTL_S = 90 * 24 * 60 * 60;

export type Fault =
  | { kind: "http"; status: number; body?: string }
  | { kind: "userErrors"; userErrors: { field: string[] | null; message: string; code?: string }[] }
  | { kind: "network" };

interface PendingFault {
  fault: Fault;
  remaining: number;
  match?: (c: StandinCall) => boolean;
}

export interface StandinOptions {
  clock?: () => number;
  appId?: string;
  /** The app's client id and secret: when given, the token endpoint refuses others (invalid_client). */
  client?: { id: string; secret: string };
  /** Points restored per second in each shop's bucket (default Shopify's standard 100; Plus has 1000). */
  restoreRate?: number;
}

type Json = Record<string, unknown>;

export class AdminStandin {
  readonly shops = new Map<string, StandinShop>();
  readonly calls: StandinCall[] = [];
  /** Every request to the token endpoint, refused ones included. */
  readonly tokenRequests: StandinTokenRequest[] = [];
  readonly appId: string;
  private readonly client?: { id: string; secret: string };
  private tokenFaults = 0;
  private readonly clock: () => number;
  private readonly buckets = new Map<string, CostBucket>();
  private faults: PendingFault[] = [];
  private server?: http.Server;
  /** Bulk query operations of every shop (bulk.ts): pause, failNext, cutNextDownload for tests. */
  readonly bulk: BulkOperations;
  private readonly restoreRate?: number;

  constructor(opts: StandinOptions = {}) {
    this.clock = opts.clock ?? (() => Date.now());
    this.appId = opts.appId ?? STANDIN_APP_ID;
    this.client = opts.client;
    this.restoreRate = opts.restoreRate;
    this.bulk = new BulkOperations(this.clock, (shop) => new ShopResolvers(shop, this.appId, this.bulk, true));
  }

  /** The next `times` token requests answer 502 (Shopify's token endpoint having a bad moment); nothing rotates. */
  failNextTokenRequests(times: number) {
    this.tokenFaults += times;
  }

  addShop(init: ShopInit): StandinShop {
    const shop = new StandinShop(init, this.clock);
    this.shops.set(shop.domain, shop);
    return shop;
  }

  shop(domain: string): StandinShop {
    const s = this.shops.get(domain);
    if (!s) throw new Error(`stand-in has no shop ${domain}`);
    return s;
  }

  bucket(domain: string): CostBucket {
    let b = this.buckets.get(domain);
    if (!b) this.buckets.set(domain, (b = new CostBucket(this.clock, undefined, this.restoreRate)));
    return b;
  }

  /** The next `times` requests (matching `match`, if given) fail with `fault` instead of running. */
  failNext(times: number, fault: Fault, match?: PendingFault["match"]) {
    this.faults.push({ fault, remaining: times, match });
  }

  clearFaults() {
    this.faults = [];
  }

  /** Calls that changed something (mutations that ran), as [operationName, variables]. */
  mutations(shop?: string): [string | null, Json][] {
    return this.calls
      .filter((c) => c.operation === "mutation" && c.status === 200 && c.errors.length === 0 && (!shop || c.shop === shop))
      .map((c) => [c.operationName, c.variables]);
  }

  /** What a storefront shows for each product (the demo renders product pages from this). */
  storefront(domain: string): StorefrontProductView[] {
    const s = this.shop(domain);
    const ns = resolveNamespace(STOREFRONT_METAFIELD.namespace, this.appId);
    return [...s.products.values()].map((p) => ({
      id: p.id,
      restId: restId(p.id),
      title: p.title,
      handle: p.handle,
      tags: [...p.tags],
      variants: p.variantIds.map((vid) => {
        const v = s.variants.get(vid)!;
        const available = s.levelsOf(v.inventoryItemId).reduce((sum, l) => sum + l.available, 0);
        const mf = s.metafield(v.id, ns, STOREFRONT_METAFIELD.key);
        return {
          id: v.id,
          restId: restId(v.id),
          title: v.title,
          sku: v.sku,
          price: v.price,
          inventoryPolicy: v.inventoryPolicy,
          available,
          availableForSale: v.inventoryPolicy === "CONTINUE" || available > 0,
          backorderStatus: mf ? (JSON.parse(mf.value) as unknown) : null,
        };
      }),
    }));
  }

  // ---- HTTP ----

  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const addr = this.server.address() as AddressInfo;
    this.bulk.origin = `http://${host}:${addr.port}`;
    return this.bulk.origin;
  }

  async close() {
    await this.bulk.close();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const result = /^\/bulk-results\/([0-9a-f]+)\.jsonl$/.exec(req.url ?? "");
    if (result && req.method === "GET") return this.serveResult(result[1]!, res);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const out = this.respond({
      method: req.method ?? "GET",
      path: (req.url ?? "/").split("?")[0]!,
      host: (req.headers.host ?? "").split(":")[0]!,
      token: req.headers["x-shopify-access-token"] as string | undefined,
      body: Buffer.concat(chunks).toString("utf8"),
    });
    if (out === "drop") {
      req.socket.destroy();
      return;
    }
    res.writeHead(out.status, { "content-type": "application/json; charset=utf-8" });
    res.end(typeof out.body === "string" ? out.body : JSON.stringify(out.body));
  }

  /**
   * A bulk operation's JSONL, as Shopify's storage serves it: a signed URL, no access token.
   * A cut download sends its first lines and then drops the connection.
   */
  private serveResult(token: string, res: http.ServerResponse) {
    const found = this.bulk.download(token);
    if (!found) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
      return;
    }
    res.writeHead(200, { "content-type": "application/jsonl" });
    const stream = fs.createReadStream(found.file, { encoding: "utf8" });
    if (found.cutAfterLines === undefined) return void stream.pipe(res);
    let left = found.cutAfterLines;
    stream.on("data", (chunk) => {
      const text = chunk as string;
      let end = 0;
      while (left > 0 && end < text.length) {
        const nl = text.indexOf("\n", end);
        if (nl < 0) {
          end = text.length;
          break;
        }
        end = nl + 1;
        left--;
      }
      res.write(text.slice(0, end));
      if (left === 0) {
        stream.destroy();
        // Let the lines reach the client, then break the connection mid-file.
        setTimeout(() => res.socket?.destroy(), 20);
      }
    });
    stream.on("end", () => res.end());
  }

  /** One request, answered the way Shopify answers it. */
  respond(req: { method: string; path: string; host: string; token?: string; body: string }): { status: number; body: unknown } | "drop" {
    const oauth = /^(?:\/shops\/([^/]+))?\/admin\/oauth\/access_token$/.exec(req.path);
    if (oauth) return this.tokenEndpoint(req, oauth[1] ?? (this.shops.has(req.host) ? req.host : undefined));
    const m = /^(?:\/shops\/([^/]+))?\/admin\/api\/([^/]+)\/graphql\.json$/.exec(req.path);
    if (!m || req.method !== "POST") return { status: 404, body: { errors: "Not Found" } };
    if (m[2] !== ADMIN_API_VERSION)
      return { status: 404, body: { errors: `Not Found (the stand-in serves API version ${ADMIN_API_VERSION})` } };
    // The token names the shop (a token is bound to one shop); the host or path prefix must agree if given.
    // An expired token is refused like an unknown one.
    const shop = [...this.shops.values()].find((s) => s.accessTokenValid(req.token));
    const named = m[1] ?? (this.shops.has(req.host) ? req.host : undefined);
    if (!shop || (named && named !== shop.domain)) {
      // Logged too, so a test sees the refused attempt before a token refresh.
      this.calls.push({
        ...peek(req.body),
        shop: named ?? "",
        operation: null,
        status: 401,
        errors: ["HTTP 401"],
        requestedQueryCost: null,
        actualQueryCost: null,
      });
      return { status: 401, body: { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" } };
    }

    let payload: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      payload = JSON.parse(req.body) as typeof payload;
    } catch {
      return { status: 400, body: { errors: { query: "Required parameter missing or invalid" } } };
    }
    if (typeof payload.query !== "string") return { status: 400, body: { errors: { query: "Required parameter missing or invalid" } } };
    const variables = (payload.variables ?? {}) as Json;
    const opName = typeof payload.operationName === "string" ? payload.operationName : null;
    const call: StandinCall = {
      shop: shop.domain,
      operationName: opName,
      operation: null,
      query: payload.query,
      variables,
      status: 200,
      errors: [],
      requestedQueryCost: null,
      actualQueryCost: null,
    };
    this.calls.push(call);

    const checked = checkDocument(payload.query);
    if (!checked.ok) {
      call.errors = checked.errors.map((e) => e.message);
      return { status: 200, body: { errors: checked.errors.map(formatError) } };
    }
    const op = getOperationAST(checked.document, opName);
    if (!op) {
      call.errors = ["operation not found"];
      return { status: 200, body: { errors: [{ message: "An operation name is required when the document has several operations" }] } };
    }
    call.operation = op.operation === "mutation" ? "mutation" : "query";
    call.operationName ??= op.name?.value ?? null;

    // Access scopes, as Shopify checks them: a field (or the type it returns) whose note the
    // installed app's scopes do not meet is refused, and the operation does not run.
    // One error per field, as Shopify gives, even when both the field and its type carry a note.
    const denied = [
      ...new Map(
        [
          ...operationAccess(adminSchema(), checked.document, opName),
          ...metafieldOwnerAccess(adminSchema(), checked.document, opName, variables),
        ]
          .filter((a) => !satisfies(a.requirement, shop.grantedScopes))
          .map((a) => [a.path.join("."), a]),
      ).values(),
    ];
    if (denied.length) {
      call.errors = denied.map(() => "ACCESS_DENIED");
      return { status: 200, body: { errors: denied.map(accessDeniedError), data: null } };
    }

    const fault = this.takeFault(call);
    if (fault) {
      if (fault.kind === "network") return "drop";
      if (fault.kind === "http") {
        call.status = fault.status;
        call.errors = [`HTTP ${fault.status}`];
        return {
          status: fault.status,
          body: fault.body ?? {
            errors:
              fault.status === 429
                ? "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."
                : "Internal Server Error",
          },
        };
      }
    }

    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const d of checked.document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
    const schema = adminSchema();
    const requested = operationCost(schema, op, fragments, variables);
    call.requestedQueryCost = requested;
    const bucket = this.bucket(shop.domain);
    if (requested > MAX_SINGLE_QUERY_COST) {
      call.errors = ["MAX_COST_EXCEEDED"];
      return {
        status: 200,
        body: {
          errors: [
            {
              message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_SINGLE_QUERY_COST}).`,
              extensions: { code: "MAX_COST_EXCEEDED", cost: requested, maxCost: MAX_SINGLE_QUERY_COST },
            },
          ],
          extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: bucket.status() } },
        },
      };
    }
    if (!bucket.take(requested)) {
      call.errors = ["THROTTLED"];
      return {
        status: 200,
        body: {
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
          extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: bucket.status() } },
        },
      };
    }

    if (fault?.kind === "userErrors") {
      const data = injectedUserErrors(op.selectionSet.selections, fault.userErrors);
      return {
        status: 200,
        body: {
          data,
          extensions: { cost: { requestedQueryCost: requested, actualQueryCost: requested, throttleStatus: bucket.status() } },
        },
      };
    }

    const resolvers = new ShopResolvers(shop, this.appId, this.bulk);
    const result = execute({
      schema,
      document: checked.document,
      operationName: opName ?? undefined,
      variableValues: variables,
      rootValue: op.operation === "mutation" ? resolvers.mutationRoot() : resolvers.queryRoot(),
    }) as { data?: Json | null; errors?: readonly GraphQLError[] };
    const actual = op.operation === "mutation" ? requested : operationCost(schema, op, fragments, variables, result.data ?? null);
    bucket.refund(requested - actual);
    call.actualQueryCost = actual;
    if (result.errors?.length) call.errors = result.errors.map((e) => e.message);
    return {
      status: 200,
      body: {
        ...(result.errors?.length ? { errors: result.errors.map(formatError) } : {}),
        data: result.data ?? null,
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() } },
      },
    };
  }

  /**
   * POST /admin/oauth/access_token with grant_type=refresh_token: a new access token and a
   * new refresh token; the presented pair stops working. Presenting a used refresh token again
   * is refused with invalid_grant, as is a revoked one. Stricter than Shopify, which since
   * 2026-08-28 accepts the previously stored refresh token again until the app first uses its
   * replacement (a way back after a lost answer, at most 30 days): here any second use fails,
   * so two refreshes racing show in a test instead of passing unnoticed.
   */
  private tokenEndpoint(req: { method: string; body: string }, named: string | undefined): { status: number; body: unknown } {
    const log = (shop: string | null, grantType: string | null, status: number, error: string | null, description: string) => {
      this.tokenRequests.push({ shop, grantType, status, error });
      return { status, body: { error, error_description: description } };
    };
    if (req.method !== "POST") return { status: 405, body: { errors: "Method Not Allowed" } };
    const params = tokenParams(req.body);
    const grantType = params.get("grant_type");
    if (this.tokenFaults > 0) {
      this.tokenFaults--;
      this.tokenRequests.push({ shop: named ?? null, grantType, status: 502, error: "bad_gateway" });
      return { status: 502, body: { errors: "Bad Gateway" } };
    }
    if (this.client && (params.get("client_id") !== this.client.id || params.get("client_secret") !== this.client.secret)) {
      return log(named ?? null, grantType, 401, "invalid_client", "Client authentication failed.");
    }
    if (grantType !== "refresh_token")
      return log(named ?? null, grantType, 400, "unsupported_grant_type", "The stand-in serves grant_type=refresh_token only.");
    const presented = params.get("refresh_token");
    const shop = [...this.shops.values()].find((s) => presented && s.refreshToken === presented);
    if (!shop || (named && named !== shop.domain)) {
      return log(named ?? null, grantType, 400, "invalid_grant", "The refresh token is invalid, expired, revoked or already used.");
    }
    const issued = shop.issueExpiringToken();
    this.tokenRequests.push({ shop: shop.domain, grantType, status: 200, error: null });
    return {
      status: 200,
      body: {
        access_token: issued.accessToken,
        expires_in: Math.round((issued.expiresAt - this.clock()) / 1000),
        refresh_token: issued.refreshToken,
        refresh_token_expires_in: REFRESH_TOKEN_TTL_S,
        scope: [...shop.grantedScopes].join(","),
      },
    };
  }

  private takeFault(call: StandinCall): Fault | undefined {
    const f = this.faults.find((x) => x.remaining > 0 && (!x.match || x.match(call)));
    if (!f) return undefined;
    f.remaining--;
    this.faults = this.faults.filter((x) => x.remaining > 0);
    return f.fault;
  }
}

/** The token endpoint's parameters, sent as JSON (shopify-api does) or as a form. */
function tokenParams(body: string): URLSearchParams {
  try {
    const json = JSON.parse(body) as unknown;
    if (json && typeof json === "object" && !Array.isArray(json)) {
      return new URLSearchParams(Object.entries(json).filter((e): e is [string, string] => typeof e[1] === "string"));
    }
  } catch {
    // not JSON: a form body
  }
  return new URLSearchParams(body);
}

/** What an unauthenticated request asked for, as far as its body says. */
function peek(body: string): Pick<StandinCall, "operationName" | "query" | "variables"> {
  try {
    const p = JSON.parse(body) as { query?: unknown; variables?: unknown; operationName?: unknown };
    const query = typeof p.query === "string" ? p.query : "";
    const name = typeof p.operationName === "string" ? p.operationName : (/\b(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? null);
    return { operationName: name, query, variables: (p.variables ?? {}) as Json };
  } catch {
    return { operationName: null, query: "", variables: {} };
  }
}

/** Shopify's refusal of a field the app's scopes do not cover. */
function accessDeniedError(a: FieldAccess): Json {
  return {
    message: `Access denied for ${a.field} field. Required access: ${a.requiredAccess.trim()}`,
    path: a.path,
    extensions: {
      code: "ACCESS_DENIED",
      documentation: "https://shopify.dev/api/usage/access-scopes",
      requiredAccess: a.requiredAccess.trim(),
    },
  };
}

function formatError(e: GraphQLError): Json {
  return {
    message: e.message,
    ...(e.locations ? { locations: e.locations } : {}),
    ...(e.path ? { path: e.path } : {}),
    extensions: { code: e.path ? "INTERNAL_SERVER_ERROR" : "GRAPHQL_VALIDATION_FAILED", ...(e.extensions ?? {}) },
  };
}

/** A payload for each top-level field carrying the injected userErrors (the rest null). */
function injectedUserErrors(
  selections: readonly SelectionNode[],
  userErrors: { field: string[] | null; message: string; code?: string }[],
): Json {
  const data: Json = {};
  for (const sel of selections) {
    if (sel.kind !== Kind.FIELD) continue;
    const payload: Json = {};
    for (const sub of sel.selectionSet?.selections ?? []) {
      if (sub.kind !== Kind.FIELD) continue;
      const key = sub.alias?.value ?? sub.name.value;
      payload[key] = /userErrors$/i.test(sub.name.value)
        ? userErrors.map((u) => ({ field: u.field, message: u.message, code: u.code ?? null }))
        : null;
    }
    data[sel.alias?.value ?? sel.name.value] = payload;
  }
  return data;
}
