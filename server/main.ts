// `npm start`: the built app (build/server) served by server/app-server.ts, on PORT (3000 by
// default) and HOST (every interface by default). The build's entry (app/entry.server.tsx)
// starts the worker child and hooks the graceful stop (app/shutdown.server.ts); closing the
// HTTP server on SIGTERM/SIGINT is ours, as it was remix-serve's: requests in flight finish,
// idle keep-alive connections close, and the process ends once the worker child is down.
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { createAppServer } from "./app-server.ts";

process.env.NODE_ENV ??= "production";
const root = path.resolve(import.meta.dirname, "..");
const build = (await import(pathToFileURL(path.join(root, "build/server/index.js")).href)) as ServerBuild;
const server = createAppServer({ build, clientDir: path.join(root, "build/client") });
const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || undefined;
server.listen(port, host, () => console.log(`[backorder] http://${host ?? "localhost"}:${port}`));
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => server.close((e) => e && console.error(e)));
}
