// What the worker does after the engine changed something: queue the Shopify sync
// in the same transaction, then push it. A stop-selling push queued by a transaction
// calls `stopSellingCommitted` once that transaction has committed (the worker wakes
// its sync loop then, rather than at its next poll).
import { syncAfterApply } from "../sync/hooks.server.ts";
import type { DrainOptions } from "./worker.server.ts";

export function workerHooks(stopSellingCommitted?: () => void): DrainOptions {
  // Set inside a transaction, acted on after a commit: a wake before the commit would look
  // for a task not visible yet. (After a rollback the next commit wakes: one spare pass.)
  let queued = false;
  return {
    afterApply: syncAfterApply({ onStopSelling: () => (queued = true) }),
    afterCommit: () => {
      if (!queued) return;
      queued = false;
      stopSellingCommitted?.();
    },
  };
}
