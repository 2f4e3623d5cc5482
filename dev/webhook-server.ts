// A bare node:http server around the app's webhook door (the same code as the Remix route:
// size limit, HMAC, headers, inbox write). For benches and the offline demo's load tools,
// where the whole Remix stack would only add noise. The body is streamed to the door, never
// buffered here, so the door's size limit and byte budget hold for this server too.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "../app/db/client.server.ts";
import { webhookLimits } from "../app/config.server.ts";
import { createWebhookDoor } from "../app/inbox/receive-webhook.server.ts";

export async function startWebhookServer(db: Db, secret: string, onStored?: (shop: string) => void) {
  const door = createWebhookDoor({ db, apiSecret: secret, ...webhookLimits(), ...(onStored ? { onStored } : {}) });
  const server = http.createServer(async (req, res) => {
    try {
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      const request = new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers,
        ...(hasBody ? { body: bodyStream(req), duplex: "half" } : {}),
      });
      // A refusal says "Connection: close": Node then closes after answering instead of
      // reading the rest of a body the door did not want.
      const response = await door(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (e) {
      res.writeHead(500, { Connection: "close" });
      res.end(String(e));
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/webhooks`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * The request body as a web stream that reads from the socket only when pulled. Cancelling
 * stops reading but leaves the socket open, so an answer can still reach the sender.
 */
function bodyStream(req: http.IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  const detach = () => {
    done = true;
    req.pause();
    req.removeAllListeners("data");
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.pause();
      req.on("data", (chunk: Buffer) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => {
        if (!done) controller.close();
        done = true;
      });
      req.once("error", (e) => {
        if (!done) controller.error(e);
        done = true;
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      detach();
    },
  });
}
