// The webhook door. Checks, in this order: method, body size (before anything else, so an
// unauthenticated sender cannot make us hold a big body), the HMAC over the raw bytes, the
// delivery headers; then stores the raw body text once (concurrent deliveries in one INSERT,
// see inbox-writer.server.ts) and answers 200. The body is not parsed here: the worker parses
// and maps it, and keeps what it cannot use as "rejected" with the reason, so a signed
// delivery is never lost to a bad payload. No session load or
// token refresh happens on this path (after an uninstall there is no session to load).
import type { Db } from "../db/client.server.ts";
import { ByteBudget } from "./byte-budget.server.ts";
import { InboxWriter } from "./inbox-writer.server.ts";
import { declaredLength, readBody } from "./webhook-body.server.ts";
import { checkDeliveryHeaders } from "./webhook-headers.server.ts";
import { BodySignature, claimedSignature, HMAC_HEADER } from "./webhook-hmac.server.ts";

export interface WebhookDoorOptions {
  db: Db;
  /** The app's API secret: Shopify's key for the HMAC. */
  apiSecret: string;
  /** A longer body is refused with 413. */
  maxBodyBytes: number;
  /** Bytes all deliveries through this door may be reading at once. */
  budgetBytes: number;
  /** How long a delivery waits for room in the budget before 503 (Shopify retries). */
  budgetWaitMs?: number;
  onStored?: (shop: string) => void;
}

export type WebhookDoor = (request: Request) => Promise<Response>;

const DEFAULT_BUDGET_WAIT_MS = 2_000;
const RETRY_AFTER_SECONDS = 5;

// A refusal may come before the body is read (or all of it): the server is to close the
// connection after answering rather than read the rest to keep it alive.
const refuse = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { "Content-Type": "text/plain; charset=utf-8", Connection: "close", ...headers } });

/** One door per process (the route holds one), so the byte budget is shared by all deliveries. */
export function createWebhookDoor(o: WebhookDoorOptions): WebhookDoor {
  if (o.budgetBytes < o.maxBodyBytes) throw new RangeError("the body budget must hold at least one body of the largest size");
  const budget = new ByteBudget(o.budgetBytes);
  const inbox = new InboxWriter(o.db);
  const waitMs = o.budgetWaitMs ?? DEFAULT_BUDGET_WAIT_MS;

  return async (request) => {
    if (request.method !== "POST") {
      return refuse(405, "Webhooks are POSTed", { Allow: "POST" });
    }
    const declared = declaredLength(request.headers);
    if (declared.kind === "invalid") {
      return refuse(400, "Content-Length must be one number of bytes");
    }
    if (declared.kind === "bytes" && declared.bytes > o.maxBodyBytes) {
      return refuse(413, `Body of ${declared.bytes} bytes is over the limit of ${o.maxBodyBytes} bytes`);
    }
    // Unsigned: no reason to read a byte of it.
    const claimed = claimedSignature(request.headers);
    if (claimed === null) {
      return refuse(401, `${HMAC_HEADER} is missing or is not a base64 SHA-256 digest`);
    }
    // Without a Content-Length the body may be as long as the limit: reserve that much.
    const release = await budget.acquire(declared.kind === "bytes" ? declared.bytes : o.maxBodyBytes, waitMs);
    if (release === null) {
      return refuse(503, "Busy reading other webhooks; retry shortly", { "Retry-After": String(RETRY_AFTER_SECONDS) });
    }
    try {
      const signature = new BodySignature(o.apiSecret);
      const body = await readBody(request.body, {
        maxBytes: o.maxBodyBytes,
        declaredBytes: declared.kind === "bytes" ? declared.bytes : null,
        onChunk: (chunk) => signature.update(chunk),
      });
      switch (body.kind) {
        case "too-large":
          return refuse(413, `Body is over the limit of ${body.limit} bytes`);
        case "longer-than-declared":
          return refuse(400, `Body is longer than its Content-Length of ${body.declared} bytes`);
        case "unreadable":
          return refuse(400, `Body could not be read: ${body.reason}`);
      }
      if (!signature.matches(claimed)) return refuse(401, `${HMAC_HEADER} does not match the body`);
      const checked = checkDeliveryHeaders(request.headers);
      if (!checked.ok) return refuse(400, checked.reason);
      // The text column keeps the body exactly as signed; bytes that are not text cannot be.
      if (body.text === null) return refuse(400, "Body is not UTF-8 text (or contains a NUL character)");
      const stored = await inbox.store({ ...checked.headers, payload: body.text });
      if (stored) o.onStored?.(checked.headers.shop);
      return new Response(null, { status: 200 }); // stored now, or a duplicate of a stored one
    } finally {
      release();
    }
  };
}
