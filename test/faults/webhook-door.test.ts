// Faults at the webhook door: bodies too big to hold, many of them
// at once, headers that are not Shopify's, ids beyond 2^53, the largest real order. Bodies
// come from streams that count what the door pulls from them, so "not read" is measured.
import crypto from "node:crypto";
import http from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { signedWebhookRequest, TEST_SECRET, webhookDoor } from "../support/webhooks.ts";
import { DEFAULT_WEBHOOK_MAX_BODY_BYTES, webhookLimits } from "../../app/config.server.ts";
import type { WebhookDoor } from "../../app/inbox/receive-webhook.server.ts";
import { readBodyParts } from "../../app/inbox/body-parts.server.ts";
import { startWebhookServer } from "../../dev/webhook-server.ts";
import { shopifyWebhookHeaders } from "../../dev/webhook-signing.ts";
import { inventoryLevelPayload, orderPayload } from "../../dev/fixtures/shopify-payloads.ts";

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024; // what Node hands over per socket read
const LIMIT = DEFAULT_WEBHOOK_MAX_BODY_BYTES;
const BUDGET = webhookLimits({}).budgetBytes;
const shop = "door-faults.myshopify.com";

let t: TestDatabase;
let door: WebhookDoor;

beforeAll(async () => {
  t = await createTestDatabase("doorfaults");
  door = webhookDoor(t.db);
});
afterAll(() => t.drop());
beforeEach(async () => {
  await t.db.webhookInbox.deleteMany({});
});

const stored = () => t.db.webhookInbox.count();

/** Bodies being uploaded: what each has given the door, and the most held at once by unfinished deliveries. */
class Uploads {
  private heldNow = 0;
  peakHeld = 0;

  /** A body of `total` bytes, made as it is pulled (the test holds none of it). */
  source(total: number) {
    const upload = { pulled: 0, finished: false, stream: null as unknown as ReadableStream<Uint8Array> };
    upload.stream = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        const n = Math.min(CHUNK, total - upload.pulled);
        if (n <= 0) return controller.close();
        upload.pulled += n;
        if (!upload.finished) {
          this.heldNow += n;
          this.peakHeld = Math.max(this.peakHeld, this.heldNow);
        }
        controller.enqueue(new Uint8Array(n).fill(0x61));
      },
    });
    return upload;
  }

  /** The door answered: whatever it read of this body is no longer held. */
  finished(upload: { pulled: number; finished: boolean }) {
    upload.finished = true;
    this.heldNow -= upload.pulled;
  }
}

/** A forged delivery: Shopify's headers, an HMAC that is well-formed but not ours. */
function forgedRequest(body: ReadableStream<Uint8Array>, contentLength: number | null): Request {
  const headers: Record<string, string> = {
    "X-Shopify-Topic": "orders/create",
    "X-Shopify-Shop-Domain": shop,
    "X-Shopify-Webhook-Id": crypto.randomUUID(),
    "X-Shopify-Hmac-Sha256": crypto.randomBytes(32).toString("base64"),
  };
  if (contentLength !== null) headers["Content-Length"] = String(contentLength);
  return new Request("https://app.example.test/webhooks", { method: "POST", headers, body, duplex: "half" } as RequestInit);
}

describe("bodies too big to hold (item 3)", () => {
  it("refuses a 50 MiB body declared by its Content-Length with 413 and reads none of it", async () => {
    const uploads = new Uploads();
    const upload = uploads.source(50 * MiB);
    const res = await door(forgedRequest(upload.stream, 50 * MiB));
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(new RegExp(`over the limit of ${LIMIT} bytes`));
    expect(upload.pulled).toBeLessThanOrEqual(CHUNK); // at most the chunk a stream pulls on its own
    expect(res.headers.get("Connection")).toBe("close"); // the server is not to read the rest
    expect(await stored()).toBe(0);
  });

  it("stops reading a 50 MiB body sent without a Content-Length once it passes the limit: 413", async () => {
    const uploads = new Uploads();
    const upload = uploads.source(50 * MiB);
    const res = await door(forgedRequest(upload.stream, null));
    expect(res.status).toBe(413);
    expect(upload.pulled).toBeGreaterThan(LIMIT);
    expect(upload.pulled).toBeLessThanOrEqual(LIMIT + 2 * CHUNK);
    expect(res.headers.get("Connection")).toBe("close");
    expect(await stored()).toBe(0);
  });

  it("refuses 16 forged 50 MiB bodies at once while holding no more than the byte budget", async () => {
    const uploads = new Uploads();
    const statuses = await Promise.all(
      Array.from({ length: 16 }, async () => {
        const upload = uploads.source(50 * MiB);
        const res = await door(forgedRequest(upload.stream, null));
        uploads.finished(upload);
        return res.status;
      }),
    );
    // 413 once read past the limit, or 503 (Shopify retries) when the budget stayed full too long.
    for (const s of statuses) expect([413, 503]).toContain(s);
    expect(statuses).toContain(413);
    expect(uploads.peakHeld).toBeGreaterThan(LIMIT);
    // Each stream may have one chunk queued and one past the limit beyond what was reserved.
    expect(uploads.peakHeld).toBeLessThanOrEqual(BUDGET + 16 * 2 * CHUNK);
    expect(await stored()).toBe(0);
  });

  it("lets a delivery wait for room in the budget, answers 503 with Retry-After when none comes, and gives the room back", async () => {
    const waiting = webhookDoor(t.db, { budgetWaitMs: 1_000 });
    // Four uploads that declare the largest allowed body and then send nothing fill the budget.
    const holders = Array.from({ length: BUDGET / LIMIT }, () => {
      let finish!: () => void;
      const sent = new Promise<void>((r) => (finish = r));
      const stream = new ReadableStream<Uint8Array>({ pull: async (c) => (await sent, c.close()) });
      return { finish, answer: waiting(forgedRequest(stream, LIMIT)) };
    });
    expect(holders).toHaveLength(4);
    const level = (n: number) =>
      signedWebhookRequest({ shop, topic: "inventory_levels/update", payload: inventoryLevelPayload(1, 2, n, "2026-11-20T10:00:00Z") });

    const refused = await waiting(level(1));
    expect(refused.status).toBe(503);
    expect(refused.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(await stored()).toBe(0);

    const admittedLater = waiting(level(2)); // waits in line for room
    holders[0]!.finish();
    expect((await holders[0]!.answer).status).toBe(401); // an empty forged body
    expect((await admittedLater).status).toBe(200);

    for (const h of holders) h.finish();
    for (const h of holders) await h.answer;
    expect((await waiting(level(3))).status).toBe(200); // all room given back
    expect(await stored()).toBe(2);
  });

  it("admits the largest real order: 100,000 lines, stored byte for byte", async () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => ({
      id: 14_000_000_000_000 + i,
      variantId: 45_000_000_000_000 + (i % 500),
      quantity: 1 + (i % 3),
    }));
    const body = JSON.stringify(orderPayload({ id: 6_000_000_000_001, createdAt: "2026-11-20T10:00:00Z", lines }));
    const bytes = Buffer.byteLength(body);
    expect(bytes).toBeGreaterThan(38 * MiB); // about 40 MiB: the default limit is sized for it
    expect(bytes).toBeLessThanOrEqual(LIMIT);
    const res = await door(signedWebhookRequest({ shop, topic: "orders/create", payload: null, rawBody: body, webhookId: "big-order" }));
    expect(res.status).toBe(200);
    // In parts (app/inbox/body-parts.server.ts): one 40 MB parameter blocked the process for seconds.
    const row = await t.db.webhookInbox.findFirstOrThrow({ where: { webhookId: "big-order" } });
    expect(row.payload).toBe("");
    const stored = await readBodyParts(t.db, row.bodyId!);
    expect(stored.length).toBe(body.length);
    expect(stored === body).toBe(true);
  });
});

describe("what the door stores is what Shopify signed", () => {
  it("keeps ids above 2^53 digit for digit: two orders that differ only past 2^53 stay two", async () => {
    const template = JSON.stringify(
      orderPayload({ id: 7770001, createdAt: "2026-11-20T10:00:00Z", lines: [{ id: 7770002, variantId: 7770003, quantity: 1 }] }),
    );
    const bodies = ["9007199254740993", "9007199254740992"].map((orderId) =>
      template.replaceAll("7770001", orderId).replaceAll("7770002", "9223372036854775807").replaceAll("7770003", "18014398509481985"),
    );
    for (const [i, rawBody] of bodies.entries()) {
      const res = await door(signedWebhookRequest({ shop, topic: "orders/create", payload: null, rawBody, webhookId: `big-ids-${i}` }));
      expect(res.status).toBe(200);
    }
    const rows = await t.db.webhookInbox.findMany({ orderBy: { webhookId: "asc" } });
    expect(rows.map((r) => r.payload)).toEqual(bodies);
  });

  it("stores deeply nested JSON as sent (the worker rejects it with the reason)", async () => {
    const rawBody = "[".repeat(100_000) + "]".repeat(100_000);
    const res = await door(signedWebhookRequest({ shop, topic: "orders/create", payload: null, rawBody }));
    expect(res.status).toBe(200);
    expect((await t.db.webhookInbox.findFirstOrThrow()).payload).toBe(rawBody);
  });

  it("stores a signed body with a byte-order mark and non-ASCII text unchanged", async () => {
    const rawBody = `\uFEFF{"title":"Chemise en lin – été 🌞"}`;
    expect((await door(signedWebhookRequest({ shop, topic: "products/update", payload: null, rawBody }))).status).toBe(200);
    expect((await t.db.webhookInbox.findFirstOrThrow()).payload).toBe(rawBody);
  });

  it("refuses signed bytes that are not UTF-8 text, or hold a NUL, with 400 (a text column could not keep them as signed)", async () => {
    const notUtf8 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xff, 0xfe, 0x7d]);
    const headers = shopifyWebhookHeaders({
      shop,
      topic: "orders/create",
      apiVersion: "2025-10",
      webhookId: "bin",
      secret: TEST_SECRET,
      body: "",
    });
    headers["X-Shopify-Hmac-Sha256"] = crypto.createHmac("sha256", TEST_SECRET).update(notUtf8).digest("base64");
    const res = await door(new Request("https://app.example.test/webhooks", { method: "POST", headers, body: notUtf8 }));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/not UTF-8 text/);
    const nul = await door(signedWebhookRequest({ shop, topic: "orders/create", payload: null, rawBody: '{"a":"\u0000"}' }));
    expect(nul.status).toBe(400);
    expect(await stored()).toBe(0);
  });

  it("ignores a Triggered-At that is not a date or is out of range instead of refusing the delivery", async () => {
    for (const [i, value] of ["yesterday", "+275760-09-13T00:00:00Z", "1969-12-31T23:59:59Z"].entries()) {
      const req = signedWebhookRequest({ shop, topic: "orders/create", payload: { id: i + 1 }, webhookId: `at-${i}` });
      req.headers.set("X-Shopify-Triggered-At", value);
      expect((await door(req)).status).toBe(200);
    }
    const rows = await t.db.webhookInbox.findMany();
    expect(rows.map((r) => r.triggeredAt)).toEqual([null, null, null]);
  });
});

describe("headers that are not Shopify's (item 7)", () => {
  const signed = (headers: Record<string, string | string[]>) => {
    const req = signedWebhookRequest({ shop, topic: "orders/create", payload: { id: 1 } });
    for (const [name, value] of Object.entries(headers)) {
      req.headers.delete(name);
      for (const v of [value].flat()) req.headers.append(name, v);
    }
    return req;
  };

  it.each([
    "evil.example.com",
    "door-faults.myshopify.com.evil.example.com",
    "Door-Faults.myshopify.com",
    "door_faults.myshopify.com",
    "a.b.myshopify.com",
  ])("refuses a validly signed delivery for shop %s with 400 and stores nothing", async (domain) => {
    const res = await door(signed({ "X-Shopify-Shop-Domain": domain }));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/X-Shopify-Shop-Domain must be a shop's \*\.myshopify\.com domain/);
    expect(await stored()).toBe(0);
  });

  it("refuses two X-Shopify-Webhook-Id headers with 400 instead of storing them joined", async () => {
    const res = await door(signed({ "X-Shopify-Webhook-Id": ["w-a", "w-b"] }));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/X-Shopify-Webhook-Id must be one value/);
    expect(await stored()).toBe(0);
  });

  it("refuses a missing topic, shop or webhook id with 400 saying which", async () => {
    for (const name of ["X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-Webhook-Id"]) {
      const req = signedWebhookRequest({ shop, topic: "orders/create", payload: { id: 1 } });
      req.headers.delete(name);
      const res = await door(req);
      expect(res.status).toBe(400);
      expect(await res.text()).toBe(`${name} is missing`);
    }
    expect(await stored()).toBe(0);
  });

  it("answers 401, not 400, to a delivery without an HMAC, and reads none of its body", async () => {
    const upload = new Uploads().source(10 * MiB);
    const req = forgedRequest(upload.stream, 10 * MiB);
    req.headers.delete("X-Shopify-Hmac-Sha256");
    const res = await door(req);
    expect(res.status).toBe(401);
    expect(upload.pulled).toBeLessThanOrEqual(CHUNK);
    expect(await stored()).toBe(0);
  });

  it("checks the HMAC before the headers: a forged delivery with a bad shop is 401", async () => {
    const req = signedWebhookRequest({ shop: "evil.example.com", topic: "orders/create", payload: { id: 1 }, secret: "not-our-secret" });
    expect((await door(req)).status).toBe(401);
  });

  it("refuses a Content-Length that is not one number with 400", async () => {
    const res = await door(signed({ "Content-Length": ["8", "9"] }));
    expect(res.status).toBe(400);
    expect(await stored()).toBe(0);
  });
});

describe("the bare HTTP server the benches and demo tools use", () => {
  it("streams the body to the same door: a 50 MiB upload is refused with 413 before it is sent", async () => {
    const server = await startWebhookServer(t.db, TEST_SECRET);
    try {
      const answer = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
        let sent = 0;
        const req = http.request(server.url, {
          method: "POST",
          headers: { "Content-Length": String(50 * MiB), "X-Shopify-Hmac-Sha256": crypto.randomBytes(32).toString("base64") },
        });
        req.on("response", (res) => {
          res.resume();
          resolve({ status: res.statusCode!, sent });
          req.destroy();
        });
        req.on("error", reject);
        sent += CHUNK;
        req.write(Buffer.alloc(CHUNK, 0x61)); // and no more: the answer must not wait for the rest
      });
      expect(answer).toEqual({ status: 413, sent: CHUNK });

      const body = JSON.stringify(inventoryLevelPayload(1, 2, 3, "2026-11-20T10:00:00Z"));
      const headers = shopifyWebhookHeaders({
        shop,
        topic: "inventory_levels/update",
        apiVersion: "2025-10",
        webhookId: "over-http",
        secret: TEST_SECRET,
        body,
      });
      const res = await fetch(server.url, { method: "POST", headers, body });
      expect(res.status).toBe(200);
      expect((await t.db.webhookInbox.findFirstOrThrow()).payload).toBe(body);
    } finally {
      await server.close();
    }
  });
});
