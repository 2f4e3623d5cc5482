// `npm run worker`: the inbox worker as its own process (set BACKORDER_WORKER=off on
// the web process when you run this). Stops cleanly on SIGINT/SIGTERM.
import { db } from "../app/db/client.server.ts";
import { drainInbox } from "../app/jobs/worker.server.ts";
import { workerHooks } from "../app/jobs/worker-hooks.server.ts";
import { runPendingSync } from "../app/sync/runner.server.ts";
import { processGateways } from "../app/sync/gateways.server.ts";
import { refreshDatesIfDue } from "../app/sync/daily-dates.server.ts";

let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => (stopping = true));

while (!stopping) {
  const r = await drainInbox(db(), workerHooks());
  if (r.processed + r.failed > 0) console.log(`[worker] processed ${r.processed}, failed ${r.failed}`);
  // A new day in a shop moves its storefront dates: queue their re-publication.
  await refreshDatesIfDue(db()).catch((e: unknown) => console.error("[worker] date refresh failed:", e));
  // Then push the engine's decisions to Shopify; a failed push stays on its SyncTask.
  const s = await runPendingSync(db(), processGateways()).catch((e: unknown) => (console.error("[worker] sync failed:", e), null));
  if (s && s.done + s.retrying + s.failed > 0) console.log(`[worker] sync: ${s.done} done, ${s.retrying} retrying, ${s.failed} failed`);
  await new Promise((res) => setTimeout(res, 1000));
}
await db().$disconnect();
