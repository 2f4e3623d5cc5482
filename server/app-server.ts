// The production HTTP server (`npm start` runs server/main.ts, which builds one of these around
// build/server). It replaces remix-serve. Two ways in:
//
// - `/webhooks` (exactly: Shopify posts there with no query) goes straight from node:http to
//   Remix's request handler, with no Express, no compression and no log line per accepted
//   delivery. The handler is Remix's own `createRequestHandler` over the same build, whose route
//   table is cut to the webhook route and its ancestors: Remix flattens, ranks and matches the
//   whole route table on every request (twice), and for this path the answer is always the same
//   route. The route's action, its errors and its response are Remix's, as before.
// - Everything else (pages, the app's loaders and actions, static files) goes through Express as
//   remix-serve set it up: compression, static files from build/client (`/assets/`, whose names
//   carry a content hash, cached for a year as immutable; the rest for an hour), a `morgan` line
//   per request, then Remix's Express adapter.
//
// No fetch polyfill is installed: the app runs on Node's own fetch, Request and Response, as it
// does under `vite:dev` and in the tests (remix-serve installed @remix-run/web-fetch's, slower).
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { createReadableStreamFromReadable, createRequestHandler, type ServerBuild } from "@remix-run/node";

/** The webhook route: its module is app/routes/webhooks.tsx. */
export const WEBHOOK_PATH = "/webhooks";
const WEBHOOK_ROUTE_ID = "routes/webhooks";

type NodeHandler = (req: http.IncomingMessage, res: http.ServerResponse, next?: (e?: unknown) => void) => void;
// Express and its middleware ship no type declarations here; this much is used.
interface ExpressApp extends NodeHandler {
  disable(setting: string): void;
  use(...handlers: unknown[]): void;
  all(path: string, handler: NodeHandler): void;
}
interface ExpressModule {
  (): ExpressApp;
  static(root: string, options: { immutable?: boolean; maxAge?: string; index?: boolean }): NodeHandler;
}
const requireCjs = createRequire(import.meta.url);
const express = requireCjs("express") as ExpressModule;
const compression = requireCjs("compression") as () => NodeHandler;
const morgan = requireCjs("morgan") as (format: string) => NodeHandler;
const remixExpress = requireCjs("@remix-run/express") as {
  createRequestHandler(o: { build: ServerBuild; mode: string }): NodeHandler;
};

export interface AppServerOptions {
  build: ServerBuild;
  /** build/client: the browser's files. */
  clientDir: string;
  mode?: string;
  /** A `morgan` line per request other than accepted webhooks (default: on). */
  logRequests?: boolean;
}

export function createAppServer(o: AppServerOptions): http.Server {
  const mode = o.mode ?? process.env.NODE_ENV ?? "production";
  const webhooks = webhookHandler(o.build, mode, o.logRequests ?? true);
  const app = express();
  app.disable("x-powered-by");
  app.use(compression());
  // Vite names these files by their content: a new build gives new names.
  app.use("/assets", express.static(path.join(o.clientDir, "assets"), { immutable: true, maxAge: "1y", index: false }));
  app.use(express.static(o.clientDir, { maxAge: "1h", index: false }));
  if (o.logRequests ?? true) app.use(morgan("tiny"));
  app.all("*", remixExpress.createRequestHandler({ build: o.build, mode }));
  return http.createServer((req, res) => {
    if (req.url === WEBHOOK_PATH) void webhooks(req, res);
    else app(req, res);
  });
}

/**
 * The build with only the webhook route and its ancestors, after checking that in the whole
 * build nothing else could answer `/webhooks`: the route's full path is "webhooks", no other
 * route's is, and it has no child (an index route would take the path).
 */
export function webhookOnlyBuild(build: ServerBuild): ServerBuild {
  const routes = build.routes;
  const fullPath = (id: string): string => {
    const r = routes[id]!;
    const own = (r.index ? "" : (r.path ?? "")).replace(/^\/|\/$/g, "");
    const parent = r.parentId ? fullPath(r.parentId) : "";
    return [parent, own].filter(Boolean).join("/");
  };
  const route = routes[WEBHOOK_ROUTE_ID];
  if (!route || fullPath(WEBHOOK_ROUTE_ID) !== WEBHOOK_PATH.slice(1)) {
    throw new Error(`the build has no route ${WEBHOOK_ROUTE_ID} at ${WEBHOOK_PATH}`);
  }
  const others = Object.keys(routes).filter(
    (id) => id !== WEBHOOK_ROUTE_ID && (routes[id]!.parentId === WEBHOOK_ROUTE_ID || fullPath(id) === fullPath(WEBHOOK_ROUTE_ID)),
  );
  if (others.length > 0) throw new Error(`${WEBHOOK_PATH} is not the webhook route's alone: ${others.join(", ")}`);
  const kept: ServerBuild["routes"] = {};
  for (let id: string | undefined = WEBHOOK_ROUTE_ID; id !== undefined; id = routes[id]!.parentId) kept[id] = routes[id]!;
  return { ...build, routes: kept };
}

/** node:http → Remix's handler for the webhook route → node:http, with nothing in between. */
function webhookHandler(build: ServerBuild, mode: string, logRefusals: boolean) {
  const handle = createRequestHandler(webhookOnlyBuild(build), mode);
  return async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = performance.now();
    try {
      const response = await handle(fetchRequest(req));
      if (logRefusals && response.status >= 400) {
        // Accepted deliveries are not logged (one line each in a burst is the web process's CPU);
        // refusals are, in morgan's "tiny" shape.
        console.log(`${req.method} ${req.url} ${response.status} - - ${(performance.now() - started).toFixed(3)} ms`);
      }
      await sendResponse(res, response);
    } catch (e) {
      console.error(e);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8", Connection: "close" });
      res.end();
    }
  };
}

/** The Fetch request Remix takes; its body is the socket's stream, read only if the route reads it. */
function fetchRequest(req: http.IncomingMessage): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  // No abort signal tied to the socket (Remix's Express adapter makes one): the door reads the
  // body it needs and stores it whether or not the sender is still there, and following a signal
  // costs each Request an AbortController and listeners.
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, {
    method: req.method,
    headers,
    ...(hasBody ? { body: createReadableStreamFromReadable(req), duplex: "half" } : {}),
  } as RequestInit);
}

async function sendResponse(res: http.ServerResponse, response: Response): Promise<void> {
  const headers: string[] = [];
  response.headers.forEach((value, name) => headers.push(name, value));
  // Each Set-Cookie is its own header line (forEach joins them).
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) {
    for (let i = headers.length - 2; i >= 0; i -= 2) if (headers[i] === "set-cookie") headers.splice(i, 2);
    for (const c of cookies) headers.push("set-cookie", c);
  }
  res.writeHead(response.status, response.statusText, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  await pipeline(Readable.fromWeb(response.body as NodeReadableStream), res);
}
