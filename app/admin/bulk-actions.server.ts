// What the merchant can do to a batch of queue lines: the rows selected on the page, or
// every line matching the page's filter (Polaris "select all", across pages). Each action
// runs in one transaction with the sync work it implies, so a change and the promise to
// tell Shopify commit together.
import type { Db, Prisma } from "../db/client.server.ts";
import { LINE_STATE } from "../backorder/line-state.ts";
import { SYNC_KIND } from "../sync/task-kind.ts";
import { enqueueTasks } from "../sync/tasks.server.ts";
import { applyPolicyPatch } from "./policies.server.ts";
import { parseQueueQuery, type QueueQuery } from "./queue-query.ts";
import { queueWhere } from "./queue.server.ts";
import { checkRestockDate } from "./variant-settings.ts";
import { fromCalendarDate } from "../backorder/eta.ts";
import { loadShopDefaults, shopToday } from "./shop-context.server.ts";

export const BULK_LIMIT = 500;

/** Selected line ids, or every line the queue filter matches (resolved here, not in the browser). */
export type BulkTarget = string[] | { filter: QueueQuery };

export type BulkResult = { ok: true; message: string; count: number } | { ok: false; error: string };

function targetWhere(client: Db, shop: string, target: BulkTarget, now: Date): Prisma.BackorderLineWhereInput {
  // The filter is evaluated now, from the first page: a cursor only says where the merchant was looking.
  if (!Array.isArray(target)) return queueWhere(client, shop, { ...target.filter, after: null, before: null }, now);
  // Ids come from the browser: the shop filter is what keeps them to this merchant's lines.
  return { shop, lineItemId: { in: target.slice(0, BULK_LIMIT) } };
}

const nothing = (target: BulkTarget) => (Array.isArray(target) ? "Select at least one line." : "No lines match the filter.");

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Sets the restock date of every variant the lines are for. */
export async function setRestockDate(client: Db, shop: string, target: BulkTarget, date: string, now = new Date()): Promise<BulkResult> {
  const today = shopToday(await loadShopDefaults(client, shop), now);
  const checked = checkRestockDate(date.trim(), today);
  if ("error" in checked) return { ok: false, error: checked.error };
  const groups = await client.backorderLine.groupBy({ by: ["variantId"], where: targetWhere(client, shop, target, now) });
  const variantIds = groups.map((g) => g.variantId);
  if (variantIds.length === 0) return { ok: false, error: nothing(target) };
  const restockDate = fromCalendarDate(checked.value);
  await client.$transaction(
    async (tx) => {
      await applyPolicyPatch(tx, shop, variantIds, { restockDate });
      await enqueueTasks(tx, shop, SYNC_KIND.variant, variantIds, now);
    },
    { timeout: 30_000 }, // a filter can reach every variant of a large catalog
  );
  return { ok: true, count: variantIds.length, message: `Restock date ${checked.value} set for ${plural(variantIds.length, "variant")}.` };
}

/** Asks Shopify (through the sync runner) to cancel the lines' orders. */
export async function requestCancellation(client: Db, shop: string, target: BulkTarget, now = new Date()): Promise<BulkResult> {
  const groups = await client.backorderLine.groupBy({
    by: ["orderId"],
    where: { AND: [targetWhere(client, shop, target, now), { state: { notIn: [LINE_STATE.cancelled, LINE_STATE.fulfilled] } }] },
  });
  const orderIds = groups.map((g) => g.orderId);
  if (orderIds.length === 0) {
    return {
      ok: false,
      error: Array.isArray(target)
        ? "None of the selected lines can be cancelled (already cancelled or fulfilled)."
        : "None of the lines matching the filter can be cancelled (already cancelled or fulfilled).",
    };
  }
  await client.$transaction((tx) => enqueueTasks(tx, shop, SYNC_KIND.orderCancel, orderIds, now), { timeout: 30_000 });
  return {
    ok: true,
    count: orderIds.length,
    message: `Cancellation requested for ${plural(orderIds.length, "order")}. Shopify cancels them shortly; the lines leave the queue when it confirms.`,
  };
}

/** Records that the customers of the lines were told about the delay. */
export async function markNotified(client: Db, shop: string, target: BulkTarget, now = new Date()): Promise<BulkResult> {
  const r = await client.backorderLine.updateMany({ where: targetWhere(client, shop, target, now), data: { notifiedAt: now } });
  if (r.count === 0) return { ok: false, error: nothing(target) };
  return { ok: true, count: r.count, message: `${plural(r.count, "line")} marked as notified.` };
}

/**
 * The queue page's form: `lineItemId` fields for selected rows, or `scope=filter` with
 * `filters` (the page's query string) for every line matching it.
 */
export async function runBulkAction(client: Db, shop: string, form: FormData, now = new Date()): Promise<BulkResult> {
  let target: BulkTarget;
  if (form.get("scope") === "filter") {
    target = { filter: parseQueueQuery(new URLSearchParams(String(form.get("filters") ?? ""))) };
  } else {
    target = form.getAll("lineItemId").map(String).filter(Boolean);
    if (target.length === 0) return { ok: false, error: "Select at least one line." };
  }
  switch (form.get("intent")) {
    case "restock-date":
      return setRestockDate(client, shop, target, String(form.get("restockDate") ?? ""), now);
    case "cancel":
      return requestCancellation(client, shop, target, now);
    case "notified":
      return markNotified(client, shop, target, now);
    default:
      return { ok: false, error: "Unknown action." };
  }
}
