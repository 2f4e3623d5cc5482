// What the merchant can do to selected queue lines. Each action runs in one transaction
// with the sync work it implies, so a change and the promise to tell Shopify commit together.
import type { Db } from "../db/client.server.ts";
import { enqueueSync, enqueueTask } from "../sync/tasks.server.ts";
import { checkRestockDate } from "./variant-settings.ts";
import { fromCalendarDate, loadShopDefaults, shopToday } from "./shop-context.server.ts";

export const BULK_LIMIT = 500;

export type BulkResult = { ok: true; message: string; count: number } | { ok: false; error: string };

async function selectedLines(client: Db, shop: string, lineItemIds: string[]) {
  // Ids come from the browser: the shop filter is what keeps them to this merchant's lines.
  return client.backorderLine.findMany({
    where: { shop, lineItemId: { in: lineItemIds.slice(0, BULK_LIMIT) } },
    select: { lineItemId: true, variantId: true, orderId: true, orderName: true, state: true },
  });
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Sets the restock date of every variant the selected lines are for. */
export async function setRestockDate(client: Db, shop: string, lineItemIds: string[], date: string, now = new Date()): Promise<BulkResult> {
  const today = shopToday(await loadShopDefaults(client, shop), now);
  const checked = checkRestockDate(date.trim(), today);
  if ("error" in checked) return { ok: false, error: checked.error };
  const lines = await selectedLines(client, shop, lineItemIds);
  const variantIds = [...new Set(lines.map((l) => l.variantId))];
  if (variantIds.length === 0) return { ok: false, error: "Select at least one line." };
  const restockDate = fromCalendarDate(checked.value);
  await client.$transaction(async (tx) => {
    for (const variantId of variantIds) {
      await tx.variantPolicy.upsert({
        where: { shop_variantId: { shop, variantId } },
        create: { shop, variantId, restockDate },
        update: { restockDate },
      });
    }
    await enqueueSync(tx, shop, { variantIds }, now);
  });
  return { ok: true, count: variantIds.length, message: `Restock date ${checked.value} set for ${plural(variantIds.length, "variant")}.` };
}

/** Asks Shopify (through the sync runner) to cancel the selected lines' orders. */
export async function requestCancellation(client: Db, shop: string, lineItemIds: string[], now = new Date()): Promise<BulkResult> {
  const lines = await selectedLines(client, shop, lineItemIds);
  const orderIds = [...new Set(lines.filter((l) => l.state !== "cancelled" && l.state !== "fulfilled").map((l) => l.orderId))];
  if (orderIds.length === 0) return { ok: false, error: "None of the selected lines can be cancelled (already cancelled or fulfilled)." };
  await client.$transaction(async (tx) => {
    for (const orderId of orderIds) await enqueueTask(tx, shop, "order-cancel", orderId, now);
  });
  return {
    ok: true,
    count: orderIds.length,
    message: `Cancellation requested for ${plural(orderIds.length, "order")}. Shopify cancels them shortly; the lines leave the queue when it confirms.`,
  };
}

/** Records that the customers of the selected lines were told about the delay. */
export async function markNotified(client: Db, shop: string, lineItemIds: string[], now = new Date()): Promise<BulkResult> {
  const r = await client.backorderLine.updateMany({
    where: { shop, lineItemId: { in: lineItemIds.slice(0, BULK_LIMIT) } },
    data: { notifiedAt: now },
  });
  if (r.count === 0) return { ok: false, error: "Select at least one line." };
  return { ok: true, count: r.count, message: `${plural(r.count, "line")} marked as notified.` };
}

export async function runBulkAction(client: Db, shop: string, form: FormData, now = new Date()): Promise<BulkResult> {
  const ids = form.getAll("lineItemId").map(String).filter(Boolean);
  if (ids.length === 0) return { ok: false, error: "Select at least one line." };
  switch (form.get("intent")) {
    case "restock-date":
      return setRestockDate(client, shop, ids, String(form.get("restockDate") ?? ""), now);
    case "cancel":
      return requestCancellation(client, shop, ids, now);
    case "notified":
      return markNotified(client, shop, ids, now);
    default:
      return { ok: false, error: "Unknown action." };
  }
}
