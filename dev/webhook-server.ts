// A bare node:http server around the app's webhook receipt (same code as the Remix
// route: HMAC check, payload check, inbox write). For benches and the offline demo's
// load tools, where the whole Remix stack would only add noise.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "../app/db/client.server.ts";
import { receiveWebhook } from "../app/jobs/receive-webhook.server.ts";
import { createShopifyApp } from "../app/shopify-app.server.ts";

export async function startWebhookServer(db: Db, secret: string, onStored?: (shop: string) => void) {
  const app = createShopifyApp(db, { apiKey: "bench", apiSecret: secret, appUrl: "http://127.0.0.1", scopes: [] });
  const server = http.createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const request = new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers,
        ...(req.method === "POST" ? { body: Buffer.concat(chunks) } : {}),
      });
      const response = await receiveWebhook(request, { authenticate: app.authenticate.webhook, db, ...(onStored ? { onStored } : {}) });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (e) {
      res.writeHead(500);
      res.end(String(e));
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/webhooks`, close: () => new Promise<void>((r) => server.close(() => r())) };
}
