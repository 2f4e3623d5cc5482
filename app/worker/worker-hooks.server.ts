// What the worker does after the engine changed something: queue the Shopify sync
// in the same transaction, then push it.
import { syncAfterApply } from "../sync/hooks.server.ts";
import type { DrainOptions } from "./worker.server.ts";

export function workerHooks(): DrainOptions {
  return { afterApply: syncAfterApply() };
}
