// Graceful stop of the web process on SIGTERM/SIGINT. The HTTP server is closed by whoever
// owns it (server/main.ts in production, Vite under `vite:dev`), letting requests in flight
// finish. Here: stop the worker child (it finishes or rolls back the work in hand and puts
// unstarted events back), after which nothing of ours keeps the process alive (the database
// pool lets it exit when idle) and it ends once the last request is answered. Still running
// 9 s after the signal: exit anyway (1), well inside the usual 10 s before a SIGKILL.
//
// `npm start` runs the server as `sh -c "npm run db:migrate && exec node … server/main.ts"`: npm passes
// SIGTERM to that shell, which dies without passing it on, and the server is left running
// with no parent. So a server whose parent goes away stops as if it had been sent SIGTERM.
import { stopBackgroundWorker } from "./worker/background.server.ts";

const HARD_EXIT_MS = 9_000;
const PARENT_CHECK_MS = 1_000;

declare global {
  var __backorderShutdownHooked: boolean | undefined;
  var __backorderStopping: boolean | undefined;
}

/**
 * True once a stop signal came. Closing the server only stops new connections: senders on
 * keep-alive connections (Shopify's, a load balancer's) would go on sending requests over them
 * until the hard exit. Answers say `Connection: close` from then on, so each connection ends
 * after the answer in flight and the process can end by itself.
 */
export const isStopping = (): boolean => globalThis.__backorderStopping === true;

/** Marks an answer as the last on its connection while the process is stopping. */
export function closeConnectionWhenStopping<R extends { headers: Headers }>(response: R): R {
  if (isStopping()) response.headers.set("Connection", "close");
  return response;
}

export function stopGracefullyOnSignals(): void {
  if (globalThis.__backorderShutdownHooked) return; // once per process, also across Vite dev reloads
  globalThis.__backorderShutdownHooked = true;
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void shutDown(signal));
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    console.log(`[backorder] the process that started this server (pid ${parent}) is gone: stopping as on SIGTERM`);
    process.kill(process.pid, "SIGTERM"); // the server's owner closes it on SIGTERM too
  }, PARENT_CHECK_MS);
  watch.unref();
}

async function shutDown(signal: NodeJS.Signals) {
  globalThis.__backorderStopping = true;
  // Our listener replaces Node's default exit. If no one else handles this signal (Vite does
  // not handle SIGINT), no one closes the server either: exit ourselves once the worker is down.
  const serverClosesItself = process.listenerCount(signal) > 0;
  console.log(`[backorder] ${signal}: stopping the worker${serverClosesItself ? " and the HTTP server" : ""}`);
  setTimeout(() => {
    console.error(`[backorder] still running ${HARD_EXIT_MS / 1000} s after ${signal}: exiting anyway`);
    process.exit(1);
  }, HARD_EXIT_MS).unref();
  await stopBackgroundWorker();
  if (!serverClosesItself) process.exit(0);
}
