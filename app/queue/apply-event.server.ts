// Applies one domain event to the stored facts, then re-derives what depends on them.
// Every branch is idempotent and ignores stale data, so the inbox may deliver twice,
// late or out of order and the queue still converges.
import type {
  DomainEvent,
  InventoryLevelEvent,
  OrderAdjustmentEvent,
  OrderSnapshotEvent,
  ProductEvent,
} from "../backorder/events.ts";
import type { Tx } from "../db/client.server.ts";
import { levelWins } from "../backorder/coalesce.ts";
import { effectiveQuantities } from "../backorder/order-lines.ts";
import { loadAdjustments, recomputeOrderLines, recomputeVariant, snapshotRef } from "./recompute.server.ts";
import { customerUnlessRedacted, deleteShopData, recordDataRequest, redactCustomer, uninstallShop } from "./compliance.server.ts";

export interface Affected {
  variantIds: Set<string>;
  orderIds: Set<string>;
}

export const emptyAffected = (): Affected => ({ variantIds: new Set(), orderIds: new Set() });

/** Variants to re-derive, each with the business time and topic of the latest event that touched it. */
export type PendingRecompute = Map<string, { at: Date; reason: string }>;

/**
 * Applies events in order, then re-derives each variant they touched once (a chunk of the
 * inbox, a page of the catalog): applyEventFacts for each, then recomputeVariants.
 */
export async function applyEvents(tx: Tx, shop: string, events: Iterable<{ event: DomainEvent; reason: string }>): Promise<Affected> {
  const pending: PendingRecompute = new Map();
  const affected = emptyAffected();
  for (const { event, reason } of events) {
    const a = await applyEventFacts(tx, shop, event, reason, pending);
    a.variantIds.forEach((v) => affected.variantIds.add(v));
    a.orderIds.forEach((o) => affected.orderIds.add(o));
  }
  await recomputeVariants(tx, shop, pending, affected);
  return affected;
}

/** Applies one event and re-derives its variants. */
export const applyEvent = (tx: Tx, shop: string, event: DomainEvent, reason: string): Promise<Affected> => applyEvents(tx, shop, [{ event, reason }]);

/** Re-derives each pending variant once; adds the orders whose lines changed to `affected`. */
export async function recomputeVariants(tx: Tx, shop: string, pending: PendingRecompute, affected: Affected) {
  for (const [variantId, { at, reason }] of pending) {
    for (const orderId of await recomputeVariant(tx, shop, variantId, at, reason)) affected.orderIds.add(orderId);
  }
}

/** Stores what the event says; records in `pending` which variants need re-deriving. */
export async function applyEventFacts(
  tx: Tx,
  shop: string,
  event: DomainEvent,
  reason: string,
  pending: PendingRecompute,
): Promise<Affected> {
  const affected = emptyAffected();
  switch (event.kind) {
    case "order":
      await applyOrderSnapshot(tx, shop, event, affected);
      break;
    case "adjustment":
      await applyAdjustment(tx, shop, event, affected);
      break;
    case "inventory":
      await applyInventory(tx, shop, event, affected);
      break;
    case "product":
      await applyProduct(tx, shop, event, affected);
      break;
    case "app_uninstalled":
      await uninstallShop(tx, shop);
      return affected;
    case "customer_redact":
      await redactCustomer(tx, shop, event);
      return affected;
    case "customer_data_request":
      await recordDataRequest(tx, shop, event);
      return affected;
    case "shop_redact":
      await deleteShopData(tx, shop);
      return affected;
  }
  const at = businessTime(event);
  for (const variantId of affected.variantIds) {
    const seen = pending.get(variantId);
    if (!seen || seen.at.getTime() <= at.getTime()) pending.set(variantId, { at, reason });
  }
  return affected;
}

function businessTime(e: OrderSnapshotEvent | OrderAdjustmentEvent | InventoryLevelEvent | ProductEvent): Date {
  switch (e.kind) {
    case "adjustment":
      return e.occurredAt;
    default:
      return e.updatedAt;
  }
}

async function applyOrderSnapshot(tx: Tx, shop: string, e: OrderSnapshotEvent, affected: Affected) {
  const key = { shop_orderId: { shop, orderId: e.orderId } };
  const existing = await tx.orderSnapshot.findUnique({ where: key, select: { updatedAt: true } });
  if (existing && existing.updatedAt.getTime() > e.updatedAt.getTime()) return; // stale
  // customers/redact erased this order's customer: Shopify still sends them, we do not keep them.
  const customer = await customerUnlessRedacted(tx, shop, e.orderId, e.customer);
  const data = {
    name: e.name,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    cancelledAt: e.cancelledAt,
    currency: e.currency,
    customerId: customer?.id ?? null,
    refundIds: JSON.stringify(e.refundIds),
    fulfillmentIds: JSON.stringify(e.fulfillmentIds),
  };
  const snapshot = await tx.orderSnapshot.upsert({ where: key, create: { shop, orderId: e.orderId, ...data }, update: data });
  affected.orderIds.add(e.orderId);

  const adjustments = await loadAdjustments(tx, shop, e.orderId);
  const ref = snapshotRef(snapshot);
  for (const line of e.lines) {
    if (!line.variantId) continue; // custom items: nothing to allocate
    const q = effectiveQuantities(line, ref, adjustments);
    const common = {
      orderId: e.orderId,
      orderName: e.name,
      orderedAt: e.createdAt,
      variantId: line.variantId,
      productId: line.productId,
      title: line.title,
      sku: line.sku,
      snapshotQuantity: line.quantity,
      snapshotOpenQuantity: line.openQuantity,
      quantity: q.quantity,
      openQuantity: q.openQuantity,
      cancelledAt: e.cancelledAt,
      unitPrice: line.unitPrice,
      currency: e.currency,
      customerId: customer?.id ?? null,
      customerName: customer?.name ?? null,
      customerEmail: customer?.email ?? null,
    };
    await tx.backorderLine.upsert({
      where: { shop_lineItemId: { shop, lineItemId: line.lineItemId } },
      create: { shop, lineItemId: line.lineItemId, ...common, state: "pending" },
      update: common,
    });
    affected.variantIds.add(line.variantId);
  }
}

async function applyAdjustment(tx: Tx, shop: string, e: OrderAdjustmentEvent, affected: Affected) {
  const key = `${e.adjustment}:${e.id}`;
  for (const line of e.lines) {
    const where = { shop_key_lineItemId: { shop, key, lineItemId: line.lineItemId } };
    const data = { orderId: e.orderId, kind: e.adjustment, quantity: line.quantity, occurredAt: e.occurredAt };
    await tx.orderAdjustment.upsert({ where, create: { shop, key, lineItemId: line.lineItemId, ...data }, update: data });
  }
  affected.orderIds.add(e.orderId);
  for (const v of await recomputeOrderLines(tx, shop, e.orderId)) affected.variantIds.add(v);
}

async function applyInventory(tx: Tx, shop: string, e: InventoryLevelEvent, affected: Affected) {
  const key = { shop_inventoryItemId_locationId: { shop, inventoryItemId: e.inventoryItemId, locationId: e.locationId } };
  const existing = await tx.inventoryLevel.findUnique({ where: key });
  // Same second, different value (a flash sale moves stock several times a second and
  // updated_at has whole seconds): the lower wins, so we hold rather than promise stock
  // we may not have; the next event settles it.
  if (existing && !levelWins(e, existing)) return;
  await tx.inventoryLevel.upsert({
    where: key,
    create: { shop, inventoryItemId: e.inventoryItemId, locationId: e.locationId, available: e.available, updatedAt: e.updatedAt },
    update: { available: e.available, updatedAt: e.updatedAt },
  });
  const variants = await tx.variant.findMany({ where: { shop, inventoryItemId: e.inventoryItemId }, select: { variantId: true } });
  for (const v of variants) affected.variantIds.add(v.variantId);
}

async function applyProduct(tx: Tx, shop: string, e: ProductEvent, affected: Affected) {
  for (const v of e.variants) {
    const key = { shop_variantId: { shop, variantId: v.variantId } };
    const existing = await tx.variant.findUnique({ where: key, select: { productUpdatedAt: true } });
    if (existing && existing.productUpdatedAt.getTime() > e.updatedAt.getTime()) continue; // stale
    const data = {
      productId: e.productId,
      inventoryItemId: v.inventoryItemId,
      productTitle: e.title,
      title: v.title,
      sku: v.sku,
      price: v.price,
      inventoryPolicy: v.inventoryPolicy,
      productTags: e.tags,
      productUpdatedAt: e.updatedAt,
    };
    await tx.variant.upsert({ where: key, create: { shop, variantId: v.variantId, ...data }, update: data });
    affected.variantIds.add(v.variantId);
  }
}
