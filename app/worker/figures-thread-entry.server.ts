// The figures warmer's thread (started by figures-thread.server.ts): its own database client,
// the FiguresWarmer (decision 0032) on its own RetryLoop. The loops' thread posts the shops
// to mark; the sweep and the debounce are the warmer's own, as before.
import { parentPort, workerData } from "node:worker_threads";
import { createDb } from "../db/client.server.ts";
import { RetryLoop } from "./retry-loop.server.ts";
import { FiguresWarmer } from "./figures-warmer.server.ts";
import type { FiguresThreadData, FromFiguresThread, ToFiguresThread } from "./figures-thread.server.ts";

/** A marked shop waits for its interval (figures-warmer.server.ts), so a second is fine-grained enough. */
const FIGURES_POLL_MS = 1_000;

if (!parentPort) throw new Error("figures-thread-entry.server.ts runs as the figures warmer's thread");
const port = parentPort;
const { databaseUrl, options } = workerData as FiguresThreadData;
const send = (m: FromFiguresThread) => port.postMessage(m);
const log = (line: string) => send({ type: "log", line });

const db = createDb(databaseUrl);
const stop = new AbortController();
const warmer = new FiguresWarmer(db, { ...options, log });
/** The last mark received: a pass reports it, so the loops' thread knows which marks the pass has seen. */
let seq = 0;
const loop = new RetryLoop({
  name: "figures",
  pollMs: FIGURES_POLL_MS,
  signal: stop.signal,
  log,
  pass: async () => {
    const r = await warmer.pass();
    if (r.refreshed.length > 0) log(`[worker] figures: ${r.refreshed.length} shop(s) refreshed, ${r.waiting} waiting`);
    send({ type: "pass", seq, idle: warmer.idle });
  },
});
port.on("message", (m: ToFiguresThread) => {
  if (m.type === "stop") return stop.abort();
  for (const shop of m.shops) warmer.mark(shop);
  seq = m.seq;
  loop.wake();
});

await loop.run();
await db.$disconnect().catch((e: unknown) => log(`[worker] figures thread: disconnect failed: ${String(e)}`));
port.close();
