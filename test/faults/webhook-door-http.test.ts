// The door as production serves it: `npm start` is remix-serve, which runs Remix's Express
// adapter. Its request body is a stream over the socket, and cancelling that stream destroys
// the socket, so a door that cancelled would answer its 401s and 413s to nobody. Here real
// HTTP deliveries go through that adapter to the real /webhooks route, and the sender must
// get the door's answer.
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { API_VERSION } from "../../app/shopify-app.server.ts";
import { shopifyWebhookHeaders } from "../../dev/webhook-signing.ts";
import { inventoryLevelPayload, orderPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { PART_BYTES, readBodyParts } from "../../app/inbox/body-parts.server.ts";
import { drainInbox } from "../../app/worker/worker.server.ts";

// remix-serve's own Express (no type declarations installed; only this much is used).
type ExpressApp = { all(path: string, handler: unknown): void; listen(port: number, host: string, ready: () => void): http.Server };
const express = createRequire(import.meta.url)("express") as () => ExpressApp;

const MiB = 1024 * 1024;
const SECRET = "http-door-secret";
const shop = "door-http.myshopify.com";
let t: TestDatabase;
let server: http.Server;
let url: string;

beforeAll(async () => {
  t = await createTestDatabase("doorhttp");
  globalThis.__backorderDb = t.db;
  process.env.SHOPIFY_API_KEY = "http-door-key";
  process.env.SHOPIFY_API_SECRET = SECRET;
  process.env.BACKORDER_WORKER = "off";
  const webhooksRoute = await import("../../app/routes/webhooks.tsx");
  // The smallest build that routes /webhooks the way the compiled app does (a resource route).
  const build = {
    mode: "production",
    entry: { module: { default: () => new Response(null, { status: 404 }) } },
    routes: {
      root: { id: "root", path: "", module: { default: () => null } },
      "routes/webhooks": { id: "routes/webhooks", parentId: "root", path: "webhooks", module: webhooksRoute },
    },
    assets: { entry: { imports: [], module: "" }, routes: {}, url: "", version: "test" },
    publicPath: "/build/",
    assetsBuildDirectory: "build/client",
    future: {},
    isSpaMode: false,
  } as unknown as ServerBuild;
  const app = express();
  app.all("*", createRequestHandler({ build, mode: "production" }));
  server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await t.drop();
});
beforeEach(async () => {
  await t.db.webhookInbox.deleteMany({});
  await t.db.webhookBodyPart.deleteMany({});
});

/**
 * POSTs and returns the answer. A body of `bytes` is written as the socket takes it and no
 * more once the answer has come; errors after the answer (the server closed) are expected.
 */
function post(headers: Record<string, string | string[]>, body: string | { bytes: number }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method: "POST", headers });
    req.on("response", (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => {
        resolve({ status: res.statusCode!, text });
        req.destroy();
      });
    });
    req.on("error", (e) => {
      if (!answered) reject(e);
    });
    if (typeof body === "string") return void req.end(body);
    let sent = 0;
    const pump = () => {
      while (!answered && sent < body.bytes) {
        const n = Math.min(64 * 1024, body.bytes - sent);
        sent += n;
        if (!req.write(Buffer.alloc(n, 0x61))) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

const signed = (body: string, webhookId: string, overrides: Record<string, string | string[]> = {}, topic = "inventory_levels/update") => ({
  ...shopifyWebhookHeaders({ shop, topic, apiVersion: API_VERSION, webhookId, secret: SECRET, body }),
  ...overrides,
});
const forgedHmac = () => crypto.randomBytes(32).toString("base64");

describe("the webhook door behind remix-serve's Express adapter", () => {
  it("stores a signed delivery byte for byte and answers 200", async () => {
    const body = JSON.stringify(inventoryLevelPayload(1, 2, 3, "2026-11-20T10:00:00Z"));
    expect((await post(signed(body, "http-1"), body)).status).toBe(200);
    expect(await t.db.webhookInbox.findFirstOrThrow()).toMatchObject({ shop, webhookId: "http-1", payload: body });
  });

  it("answers 401 to an unsigned delivery (the sender gets the answer, not a reset)", async () => {
    const answer = await post({ "Content-Type": "application/json" }, '{"id":1}');
    expect(answer).toEqual({ status: 401, text: expect.stringMatching(/X-Shopify-Hmac-Sha256 is missing/) });
    expect(await t.db.webhookInbox.count()).toBe(0);
  });

  it("answers 413 to a forged 50 MiB body declared by its Content-Length", async () => {
    const answer = await post({ "Content-Length": String(50 * MiB), "X-Shopify-Hmac-Sha256": forgedHmac() }, { bytes: 50 * MiB });
    expect(answer.status).toBe(413);
    expect(await t.db.webhookInbox.count()).toBe(0);
  });

  it("answers 413 to a forged 50 MiB body sent chunked, once it passes the limit", async () => {
    const answer = await post({ "Transfer-Encoding": "chunked", "X-Shopify-Hmac-Sha256": forgedHmac() }, { bytes: 50 * MiB });
    expect(answer.status).toBe(413);
    expect(await t.db.webhookInbox.count()).toBe(0);
  });

  it("refuses two X-Shopify-Webhook-Id headers (Node joins them) with 400", async () => {
    const body = '{"id":1}';
    const headers = signed(body, "ignored", { "X-Shopify-Webhook-Id": ["http-a", "http-b"] });
    const answer = await post(headers, body);
    expect(answer).toEqual({ status: 400, text: 'X-Shopify-Webhook-Id must be one value, got "http-a, http-b"' });
    expect(await t.db.webhookInbox.count()).toBe(0);
  });

  it("refuses a validly signed delivery for a shop that is not *.myshopify.com with 400", async () => {
    const body = '{"id":1}';
    const answer = await post(signed(body, "http-evil", { "X-Shopify-Shop-Domain": "evil.example.com" }), body);
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(/myshopify\.com/);
    expect(await t.db.webhookInbox.count()).toBe(0);
  });
});

describe("a 40 MB delivery", () => {
  it(
    "is stored in parts while another delivery is answered, and round-trips byte for byte to the worker",
    { timeout: 300_000 },
    async () => {
      // An order whose note fills it to 40 MB, with characters of 2 and 4 bytes that land on part boundaries.
      const order = orderPayload({
        id: 5_550_001,
        createdAt: "2026-11-20T10:00:00Z",
        lines: [{ id: 5_560_001, variantId: 88_101, quantity: 2 }],
      });
      const filler = "é😀x".repeat(Math.ceil((40 * MiB) / 7));
      const big = JSON.stringify({ ...order, note: filler });
      expect(Buffer.byteLength(big)).toBeGreaterThan(40 * MiB);

      const answered: string[] = [];
      const bigAnswer = post(signed(big, "http-big", {}, "orders/create"), big).then((a) => {
        answered.push("big");
        return a;
      });
      // The big store has begun once its first part is in the database (stored in one go, as
      // before parts, it would be answered first instead).
      while (answered.length === 0 && (await t.db.webhookBodyPart.count()) === 0) await new Promise((r) => setTimeout(r, 5));
      const small = JSON.stringify(inventoryLevelPayload(1, 2, 3, "2026-11-20T10:00:00Z"));
      const smallAnswer = await post(signed(small, "http-small"), small);
      answered.push("small");
      expect(smallAnswer.status).toBe(200);
      expect((await bigAnswer).status).toBe(200);
      // The small delivery did not wait for the big one's store to finish.
      expect(answered).toEqual(["small", "big"]);

      const row = await t.db.webhookInbox.findFirstOrThrow({ where: { webhookId: "http-big" } });
      expect(row).toMatchObject({ payload: "", bodyId: expect.any(String) });
      const parts = await t.db.webhookBodyPart.findMany({ where: { bodyId: row.bodyId! }, select: { text: true } });
      expect(parts.length).toBeGreaterThanOrEqual(Math.ceil(Buffer.byteLength(big) / PART_BYTES));
      expect(Math.max(...parts.map((p) => Buffer.byteLength(p.text)))).toBeLessThanOrEqual(PART_BYTES);
      expect((await readBodyParts(t.db, row.bodyId!)) === big).toBe(true);
      expect(await t.db.webhookInbox.findFirstOrThrow({ where: { webhookId: "http-small" } })).toMatchObject({
        payload: small,
        bodyId: null,
      });

      // The worker reads it from its parts, applies it, and keeps nothing of the body.
      expect(await drainInbox(t.db)).toMatchObject({ processed: 2, failed: 0, rejected: 0 });
      expect(await t.db.webhookInbox.findFirstOrThrow({ where: { webhookId: "http-big" } })).toMatchObject({
        status: "done",
        payload: "",
        bodyId: null,
      });
      expect(await t.db.webhookBodyPart.count()).toBe(0);
      expect(await t.db.orderSnapshot.findFirst({ where: { shop, orderId: "5550001" } })).not.toBeNull();
    },
  );
});
