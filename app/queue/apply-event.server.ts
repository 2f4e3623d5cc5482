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
import { recomputeOrderLines, recomputeVariant } from "./recompute.server.ts";
import { deleteShopData, recordDataRequest, redactCustomer, uninstallShop } from "./compliance.server.ts";

export interface Affected {
  variantIds: Set<string>;
  orderIds: Set<string>;
}

export const emptyAffected = (): Affected => ({ variantIds: new Set(), orderIds: new Set() });

export async function applyEvent(tx: Tx, shop: string, event: DomainEvent, reason: string): Promise<Affected> {
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
    for (const orderId of await recomputeVariant(tx, shop, variantId, at, reason)) affected.orderIds.add(orderId);
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
  const existing = await tx.orderSnapshot.findUnique({ where: key });
  if (existing && existing.updatedAt.getTime() > e.updatedAt.getTime()) return; // stale
  const data = {
    name: e.name,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    cancelledAt: e.cancelledAt,
    currency: e.currency,
    customerId: e.customer?.id ?? null,
    refundIds: JSON.stringify(e.refundIds),
    fulfillmentIds: JSON.stringify(e.fulfillmentIds),
  };
  await tx.orderSnapshot.upsert({ where: key, create: { shop, orderId: e.orderId, ...data }, update: data });
  affected.orderIds.add(e.orderId);

  for (const line of e.lines) {
    if (!line.variantId) continue; // custom items: nothing to allocate
    const lineKey = { shop_lineItemId: { shop, lineItemId: line.lineItemId } };
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
      unitPrice: line.unitPrice,
      currency: e.currency,
    };
    const existingLine = await tx.backorderLine.findUnique({ where: lineKey, select: { customerName: true, customerEmail: true, customerId: true } });
    // A redacted line stays redacted: a late replay of the order must not bring the customer back.
    const customer =
      existingLine && existingLine.customerId === null && existingLine.customerEmail === null && existingLine.customerName === null
        ? {}
        : { customerId: e.customer?.id ?? null, customerName: e.customer?.name ?? null, customerEmail: e.customer?.email ?? null };
    await tx.backorderLine.upsert({
      where: lineKey,
      create: {
        shop,
        lineItemId: line.lineItemId,
        ...common,
        customerId: e.customer?.id ?? null,
        customerName: e.customer?.name ?? null,
        customerEmail: e.customer?.email ?? null,
        quantity: line.quantity,
        openQuantity: line.openQuantity,
        state: "pending",
      },
      update: { ...common, ...customer },
    });
    affected.variantIds.add(line.variantId);
  }
  for (const v of await recomputeOrderLines(tx, shop, e.orderId)) affected.variantIds.add(v);
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
  if (existing) {
    const diff = e.updatedAt.getTime() - existing.updatedAt.getTime();
    if (diff < 0) return; // stale
    // Same second, different value (a flash sale moves stock several times a second and
    // updated_at has whole seconds): keep the lower, so we hold rather than promise stock
    // we may not have; the next event or a reconcile settles it.
    if (diff === 0 && e.available >= existing.available) return;
  }
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
