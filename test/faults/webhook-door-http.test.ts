// The door as production serves it: `npm start` is server/main.ts, whose server
// (server/app-server.ts) hands `/webhooks` from node:http straight to Remix's request handler
// and everything else to Express and Remix's Express adapter. The request body is a stream over
// the socket, and a door that cancelled it would have the socket destroyed and answer its 401s
// and 413s to nobody. Here real HTTP deliveries go through that server to the real /webhooks
// route, and the sender must get the door's answer.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { API_VERSION } from "../../app/shopify-app.server.ts";
import { shopifyWebhookHeaders } from "../../dev/webhook-signing.ts";
import { inventoryLevelPayload, orderPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { PART_BYTES, readBodyParts } from "../../app/inbox/body-parts.server.ts";
import { drainInbox } from "../../app/worker/worker.server.ts";
import { createAppServer, webhookOnlyBuild } from "../../server/app-server.ts";

const MiB = 1024 * 1024;
const SECRET = "http-door-secret";
const shop = "door-http.myshopify.com";
let t: TestDatabase;
let server: http.Server;
let url: string;
let base: string;
let build: ServerBuild;
const clientDir = fs.mkdtempSync(path.join(os.tmpdir(), "door-http-client-"));

beforeAll(async () => {
  t = await createTestDatabase("doorhttp");
  globalThis.__backorderDb = t.db;
  process.env.SHOPIFY_API_KEY = "http-door-key";
  process.env.SHOPIFY_API_SECRET = SECRET;
  process.env.BACKORDER_WORKER = "off";
  const webhooksRoute = await import("../../app/routes/webhooks.tsx");
  // The smallest build that routes /webhooks the way the compiled app does (a resource route).
  build = {
    mode: "production",
    entry: { module: { default: () => new Response("a page", { status: 200 }) } },
    routes: {
      root: { id: "root", path: "", module: { default: () => null } },
      "routes/webhooks": { id: "routes/webhooks", parentId: "root", path: "webhooks", module: webhooksRoute },
    },
    assets: { entry: { imports: [], module: "" }, routes: {}, url: "", version: "test" },
    publicPath: "/",
    assetsBuildDirectory: clientDir,
    future: {},
    isSpaMode: false,
  } as unknown as ServerBuild;
  fs.mkdirSync(path.join(clientDir, "assets"));
  fs.writeFileSync(path.join(clientDir, "assets", "root-AbC123.js"), "export {};");
  fs.writeFileSync(path.join(clientDir, "favicon.ico"), "icon");
  server = createAppServer({ build, clientDir, mode: "production", logRequests: false });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  url = `${base}/webhooks`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await t.drop();
  fs.rmSync(clientDir, { recursive: true, force: true });
});
beforeEach(async () => {
  await t.db.webhookInbox.deleteMany({});
  await t.db.webhookBodyPart.deleteMany({});
});

/**
 * POSTs and returns the answer. A body of `bytes` is written as the socket takes it and no
 * more once the answer has come; errors after the answer (the server closed) are expected.
 */
function post(
  headers: Record<string, string | string[]>,
  body: string | { bytes: number },
  to: string = url,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(to, { method: "POST", headers });
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

describe("the webhook door behind the production server", () => {
  it("stores a signed delivery byte for byte and answers 200", async () => {
    const body = JSON.stringify(inventoryLevelPayload(1, 2, 3, "2026-11-20T10:00:00Z"));
    expect((await post(signed(body, "http-1"), body)).status).toBe(200);
    expect(await t.db.webhookInbox.findFirstOrThrow()).toMatchObject({ shop, webhookId: "http-1", payload: body });
  });

  it("answers a retry of a stored delivery 200 and stores nothing more", async () => {
    const body = JSON.stringify(inventoryLevelPayload(1, 2, 3, "2026-11-20T10:00:00Z"));
    expect((await post(signed(body, "http-dup"), body)).status).toBe(200);
    expect((await post(signed(body, "http-dup"), body)).status).toBe(200);
    expect(await t.db.webhookInbox.count()).toBe(1);
  });

  it("answers 401 to a delivery signed with another secret", async () => {
    const body = '{"id":1}';
    const answer = await post(signed(body, "http-forged", { "X-Shopify-Hmac-Sha256": forgedHmac() }), body);
    expect(answer).toEqual({ status: 401, text: expect.stringMatching(/does not match the body/) });
    expect(await t.db.webhookInbox.count()).toBe(0);
  });

  it("routes /webhooks with a query through Express to the same route (refused unsigned, stored signed)", async () => {
    const body = JSON.stringify(inventoryLevelPayload(1, 2, 3, "2026-11-20T10:00:00Z"));
    expect((await post({ "Content-Type": "application/json" }, body, `${url}?via=express`)).status).toBe(401);
    expect((await post(signed(body, "http-query"), body, `${url}?via=express`)).status).toBe(200);
    expect(await t.db.webhookInbox.findFirstOrThrow()).toMatchObject({ webhookId: "http-query", payload: body });
  });

  it("answers a GET of /webhooks as Remix does through Express (the route has no loader)", async () => {
    const direct = await fetch(url);
    const viaExpress = await fetch(`${url}?via=express`);
    expect(direct.status).toBeGreaterThanOrEqual(400);
    expect([direct.status, await direct.text()]).toEqual([viaExpress.status, await viaExpress.text()]);
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

describe("the rest of the production server", () => {
  it("serves hashed assets as immutable for a year, other files for an hour, and pages through Remix", async () => {
    const asset = await fetch(`${base}/assets/root-AbC123.js`);
    expect([asset.status, asset.headers.get("cache-control")]).toEqual([200, "public, max-age=31536000, immutable"]);
    const icon = await fetch(`${base}/favicon.ico`);
    expect([icon.status, icon.headers.get("cache-control"), await icon.text()]).toEqual([200, "public, max-age=3600", "icon"]);
    const page = await fetch(`${base}/anything`);
    expect([page.status, await page.text()]).toEqual([200, "a page"]);
    expect(page.headers.get("x-powered-by")).toBeNull();
  });

  it("takes the webhook route alone for its fast path, and refuses a build where /webhooks could be another route's", () => {
    expect(Object.keys(webhookOnlyBuild(build).routes).sort()).toEqual(["root", "routes/webhooks"]);
    const withIndex = {
      ...build,
      routes: { ...build.routes, "routes/webhooks._index": { id: "routes/webhooks._index", parentId: "routes/webhooks", index: true } },
    } as unknown as ServerBuild;
    expect(() => webhookOnlyBuild(withIndex)).toThrow(/routes\/webhooks\._index/);
    const { "routes/webhooks": _gone, ...withoutRoute } = build.routes;
    expect(() => webhookOnlyBuild({ ...build, routes: withoutRoute })).toThrow(/no route routes\/webhooks/);
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
