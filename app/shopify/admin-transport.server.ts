// Transport to Shopify's Admin GraphQL API for one shop: a graphql-request client with the
// shop's token, cost-aware throttling (Shopify's leaky bucket as the responses report it),
// retries with backoff on THROTTLED, 429, 5xx and network failures, one token refresh when
// Shopify refuses the token (401: an expiring offline token that ran out), and typed errors
// for what retrying cannot fix. It knows no document: admin-operations.server.ts does.
import { ClientError, GraphQLClient } from "graphql-request";
import { ADMIN_API_VERSION } from "./admin-api-version.ts";
import { AdminApiError, AdminUserErrors, type UserError } from "./admin-errors.ts";
import type { AdminDocument, ResultOf, VariablesOf } from "./admin-types.ts";
import { ThrottleTracker, type CostExtension } from "./throttle-tracker.ts";
import { REAUTHORIZE, refreshFailure, type TokenProvider, type TokenRefresher } from "./token-store.server.ts";

export interface TransportOptions {
  shop: string;
  accessToken: TokenProvider;
  /**
   * Called when Shopify answers 401, at most once per request; the request is sent again
   * with the token it returns, which this transport keeps using. Without it a 401 is permanent.
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

type Outcome<T> =
  | { kind: "ok"; data: T; cost?: CostExtension }
  | { kind: "unauthorized"; error: string; cost?: CostExtension }
  | { kind: "throttled"; cost?: CostExtension }
  | { kind: "transient"; error: string; retryAfterMs?: number; cost?: CostExtension }
  | { kind: "permanent"; error: string; details?: unknown; cost?: CostExtension };

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const isMutation = (doc: string) => /^\s*mutation\b/.test(doc.replace(/^\s*#.*$/gm, ""));
export const operationNameOf = (doc: string) => /\b(?:query|mutation)\s+(\w+)/.exec(doc)?.[1] ?? "anonymous";

export class AdminTransport {
  readonly shop: string;
  private readonly opts: Required<Omit<TransportOptions, "origin" | "fetch" | "refreshAccessToken">> &
    Pick<TransportOptions, "fetch" | "refreshAccessToken">;
  private readonly url: string;
  /** The token a refresh gave after a 401; until then each request asks `accessToken`. */
  private refreshedToken: string | null = null;

  constructor(options: TransportOptions) {
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

  /** One of the app's documents, typed by its generated result and variables types. */
  async request<D extends AdminDocument>(document: D, ...[variables]: VariablesArg<D>): Promise<ResultOf<D>> {
    const { data } = await this.send<ResultOf<D>>(document, variables ?? {});
    return data;
  }

  /**
   * Sends one of the app's mutations and raises its userErrors (the payload's `userErrors`,
   * or `errorsKey`); returns the payload under `root`.
   */
  async mutate<D extends AdminDocument, K extends keyof ResultOf<D> & string>(
    document: D,
    variables: VariablesOf<D>,
    root: K,
    errorsKey = "userErrors",
  ): Promise<NonNullable<ResultOf<D>[K]>> {
    const operation = operationNameOf(document);
    const { data } = await this.send<ResultOf<D>>(document, variables);
    const payload = data[root] as Record<string, unknown> | null | undefined;
    const userErrors = (payload?.[errorsKey] ?? []) as UserError[];
    if (userErrors.length) throw new AdminUserErrors(operation, userErrors);
    if (!payload) throw new AdminApiError(`${operation}: empty payload`, true, operation);
    return payload as NonNullable<ResultOf<D>[K]>;
  }

  /**
   * Sends any document (tests send ad hoc ones); waits for the bucket, retries what may pass
   * later, throws AdminApiError otherwise.
   */
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

  /** The transport's clock and sleep (a test's fake ones), for callers that poll. */
  now(): number {
    return this.opts.now();
  }

  sleep(ms: number): Promise<void> {
    return this.opts.sleep(ms);
  }
}

/** Variables may be left out when the document declares none. */
type VariablesArg<D extends AdminDocument> =
  Record<string, never> extends VariablesOf<D> ? [variables?: VariablesOf<D>] : [variables: VariablesOf<D>];

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
