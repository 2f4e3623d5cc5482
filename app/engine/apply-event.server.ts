// Applies one domain event to the stored facts, then re-derives what depends on them.
// Every branch is idempotent and ignores stale data, so the inbox may deliver twice,
// late or out of order and the queue still converges.
import { rememberOrderLocale } from "../email/order-locale.server.ts";
import type {
  Customer,
  DomainEvent,
  InventoryLevelEvent,
  OrderAdjustmentEvent,
  OrderLineSnapshot,
  OrderSnapshotEvent,
  ProductEvent,
} from "../backorder/events.ts";
import type { Prisma, Tx } from "../db/client.server.ts";
import { eachChunk, inChunks } from "../db/chunks.ts";
import { inventoryLevelWins, productWins, snapshotWins } from "../backorder/fact-rules.ts";
import { DERIVABLE_LINE_STATES, PENDING_LINE_STATE } from "../backorder/line-state.ts";
import { effectiveQuantities } from "../backorder/order-lines.ts";
import { adjustmentsByLine, loadAdjustments, recomputeOrderLines, recomputeVariant, snapshotRef } from "./recompute.server.ts";
import {
  customerUnlessRedacted,
  deleteShopData,
  recordDataRequest,
  redactCustomer,
  uninstallShop,
  updateGrantedScopes,
} from "./compliance.server.ts";
import { lockShopEngine } from "./engine-lock.server.ts";

export interface Affected {
  variantIds: Set<string>;
  orderIds: Set<string>;
}

export const emptyAffected = (): Affected => ({ variantIds: new Set(), orderIds: new Set() });

/** Variants to re-derive, each with the business time and topic of the latest event that touched it. */
export type PendingRecompute = Map<string, { at: Date; reason: string }>;

export interface EventToApply {
  event: DomainEvent;
  reason: string;
  /** An order's lines [0, linesStored) already written by applyOrderLineSlice. */
  linesStored?: number;
  /** Its variants were already re-derived from these facts (deriveVariant, in slices): not again here. */
  derived?: boolean;
}

/**
 * Applies events in order, then re-derives each variant they touched once (a chunk of the
 * inbox, a page of the catalog): applyEventFacts for each, then recomputeVariants.
 */
export async function applyEvents(tx: Tx, shop: string, events: Iterable<EventToApply>): Promise<Affected> {
  await lockShopEngine(tx, shop);
  const pending: PendingRecompute = new Map();
  const affected = emptyAffected();
  // Lines whose facts this transaction wrote: with the pending ones, all a derivation needs besides its window.
  const touched = new Set<string>();
  for (const { event, reason, linesStored, derived } of events) {
    const a = await applyEventFacts(tx, shop, event, reason, derived ? new Map() : pending, linesStored, touched);
    a.variantIds.forEach((v) => affected.variantIds.add(v));
    a.orderIds.forEach((o) => affected.orderIds.add(o));
  }
  await recomputeVariants(tx, shop, pending, affected, touched);
  return affected;
}

/** Applies one event and re-derives its variants. */
export const applyEvent = (tx: Tx, shop: string, event: DomainEvent, reason: string): Promise<Affected> =>
  applyEvents(tx, shop, [{ event, reason }]);

/**
 * Re-derives each pending variant once; adds the orders whose lines changed to `affected`.
 * `touched`: every line whose facts were written since the variants were last derived (the
 * bounded derivation); without it each variant is derived from all its open lines.
 */
export async function recomputeVariants(
  tx: Tx,
  shop: string,
  pending: PendingRecompute,
  affected: Affected,
  touched?: ReadonlySet<string>,
) {
  // A variant without lines to derive has nothing to change: one query for all of them rather
  // than three per variant (a catalog chunk touches hundreds of variants, few with backorders).
  const open = { OR: [{ state: { in: [...DERIVABLE_LINE_STATES] } }, { openQuantity: { gt: 0 }, cancelledAt: null }] };
  const withLines = new Set(
    pending.size > 1
      ? (
          await inChunks(pending.keys(), (ids) =>
            tx.backorderLine.findMany({
              where: { shop, variantId: { in: ids }, ...open },
              select: { variantId: true },
              distinct: ["variantId"],
            }),
          )
        ).map((l) => l.variantId)
      : pending.keys(),
  );
  for (const [variantId, { at, reason }] of pending) {
    if (!withLines.has(variantId)) continue;
    for (const orderId of await recomputeVariant(tx, shop, variantId, at, reason, touched)) affected.orderIds.add(orderId);
  }
}

const markPending = (pending: PendingRecompute, variantId: string, at: Date, reason: string) => {
  const seen = pending.get(variantId);
  if (!seen || seen.at.getTime() <= at.getTime()) pending.set(variantId, { at, reason });
};

/**
 * The catalog's product and inventory events (a chunk of the catalog sync), set-based: the
 * rules of applyProduct and applyInventory (a variant older than the stored one is skipped;
 * a level that does not win against the stored one is skipped), in a few statements per
 * chunk instead of a few per variant, then the same re-derivation as applyEvents. Products
 * before levels, so a level finds the variants of its inventory item.
 */
export async function applyCatalogEvents(
  tx: Tx,
  shop: string,
  products: ProductEvent[],
  levels: InventoryLevelEvent[],
  reason: string,
): Promise<Affected> {
  // Its reads and writes are a read-compare-write, like applyEvents': the shop's engine lock
  // keeps a worker's chunk for the same shop out until this one commits (docs/decisions/0010-one-writer-per-shop.md).
  await lockShopEngine(tx, shop);
  const pending: PendingRecompute = new Map();
  const affected = emptyAffected();

  const stored = new Map(
    (
      await inChunks(new Set(products.flatMap((e) => e.variants.map((v) => v.variantId))), (ids) =>
        tx.variant.findMany({ where: { shop, variantId: { in: ids } }, select: { variantId: true, productUpdatedAt: true } }),
      )
    ).map((v) => [v.variantId, v.productUpdatedAt]),
  );
  const created = new Map<string, Prisma.VariantCreateManyInput>();
  const updated = new Map<string, Prisma.VariantUpdateInput>();
  for (const e of products) {
    for (const v of e.variants) {
      const current = stored.get(v.variantId);
      if (!productWins(e, current ? { updatedAt: current } : null)) continue; // stale
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
      if (created.has(v.variantId) || !current) created.set(v.variantId, { shop, variantId: v.variantId, ...data });
      else updated.set(v.variantId, data);
      stored.set(v.variantId, e.updatedAt);
      affected.variantIds.add(v.variantId);
      markPending(pending, v.variantId, e.updatedAt, reason);
    }
  }
  if (created.size) await tx.variant.createMany({ data: [...created.values()] });
  for (const [variantId, data] of updated) await tx.variant.update({ where: { shop_variantId: { shop, variantId } }, data });

  const key = (itemId: string, locationId: string) => `${itemId}|${locationId}`;
  const items = new Set(levels.map((l) => l.inventoryItemId));
  const current = new Map(
    (
      await inChunks(items, (ids) =>
        tx.inventoryLevel.findMany({
          where: { shop, inventoryItemId: { in: ids } },
          select: { inventoryItemId: true, locationId: true, available: true, updatedAt: true },
        }),
      )
    ).map((l) => [key(l.inventoryItemId, l.locationId), l]),
  );
  const newLevels = new Map<string, InventoryLevelEvent>();
  const changedLevels = new Map<string, InventoryLevelEvent>();
  for (const e of levels) {
    const k = key(e.inventoryItemId, e.locationId);
    const existing = current.get(k);
    if (!inventoryLevelWins(e, existing ?? null)) continue;
    if (newLevels.has(k) || !existing) newLevels.set(k, e);
    else changedLevels.set(k, e);
    current.set(k, { inventoryItemId: e.inventoryItemId, locationId: e.locationId, available: e.available, updatedAt: e.updatedAt });
  }
  if (newLevels.size) {
    await tx.inventoryLevel.createMany({
      data: [...newLevels.values()].map((e) => ({
        shop,
        inventoryItemId: e.inventoryItemId,
        locationId: e.locationId,
        available: e.available,
        updatedAt: e.updatedAt,
      })),
    });
  }
  for (const e of changedLevels.values()) {
    await tx.inventoryLevel.update({
      where: { shop_inventoryItemId_locationId: { shop, inventoryItemId: e.inventoryItemId, locationId: e.locationId } },
      data: { available: e.available, updatedAt: e.updatedAt },
    });
  }
  const written = [...newLevels.values(), ...changedLevels.values()];
  if (written.length) {
    const variantsOfItem = new Map<string, string[]>();
    const rows = await inChunks(new Set(written.map((e) => e.inventoryItemId)), (ids) =>
      tx.variant.findMany({ where: { shop, inventoryItemId: { in: ids } }, select: { variantId: true, inventoryItemId: true } }),
    );
    for (const r of rows) variantsOfItem.set(r.inventoryItemId!, [...(variantsOfItem.get(r.inventoryItemId!) ?? []), r.variantId]);
    for (const e of written) {
      for (const variantId of variantsOfItem.get(e.inventoryItemId) ?? []) {
        affected.variantIds.add(variantId);
        markPending(pending, variantId, e.updatedAt, reason);
      }
    }
  }
  await recomputeVariants(tx, shop, pending, affected);
  return affected;
}

/** Stores what the event says; records in `pending` which variants need re-deriving. */
export async function applyEventFacts(
  tx: Tx,
  shop: string,
  event: DomainEvent,
  reason: string,
  pending: PendingRecompute,
  linesStored = 0,
  touched = new Set<string>(),
): Promise<Affected> {
  const affected = emptyAffected();
  switch (event.kind) {
    case "order":
      await applyOrderSnapshot(tx, shop, event, affected, linesStored, touched);
      break;
    case "adjustment":
      await applyAdjustment(tx, shop, event, affected, touched);
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
    case "scopes_update":
      await updateGrantedScopes(tx, shop, event);
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
  for (const variantId of affected.variantIds) markPending(pending, variantId, at, reason);
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

/**
 * An order stores its lines set-based: new lines in one createMany, changed ones in one
 * updateMany per kind of change, so a 100,000-line order is a few hundred statements.
 * `linesStored`: lines [0, linesStored) were already written by applyOrderLineSlice in
 * earlier transactions (a very large order); they still count as touching their variants.
 */
async function applyOrderSnapshot(
  tx: Tx,
  shop: string,
  e: OrderSnapshotEvent,
  affected: Affected,
  linesStored: number,
  touched: Set<string>,
) {
  const key = { shop_orderId: { shop, orderId: e.orderId } };
  const existing = await tx.orderSnapshot.findUnique({ where: key, select: { updatedAt: true } });
  if (!snapshotWins(e, existing)) return; // stale
  // customers/redact erased this order's customer: Shopify still sends them, we do not keep them.
  const customer = await customerUnlessRedacted(tx, shop, e.orderId, e.customer);
  // The read above skips a stale snapshot cheaply; this write decides atomically (snapshotWins
  // in SQL): a newer snapshot stored meanwhile by another transaction is not overwritten, and on
  // PostgreSQL the row stays locked, so this order's lines are written by one transaction at a time.
  const stored = await tx.$executeRaw`
    INSERT INTO "OrderSnapshot" ("shop", "orderId", "name", "createdAt", "updatedAt", "cancelledAt", "refundIds", "fulfillmentIds", "customerId", "currency")
    VALUES (${shop}, ${e.orderId}, ${e.name}, ${e.createdAt}, ${e.updatedAt}, ${e.cancelledAt}, ${JSON.stringify(e.refundIds)}, ${JSON.stringify(e.fulfillmentIds)}, ${customer?.id ?? null}, ${e.currency})
    ON CONFLICT ("shop", "orderId") DO UPDATE SET
      "name" = excluded."name", "createdAt" = excluded."createdAt", "updatedAt" = excluded."updatedAt", "cancelledAt" = excluded."cancelledAt",
      "refundIds" = excluded."refundIds", "fulfillmentIds" = excluded."fulfillmentIds", "customerId" = excluded."customerId", "currency" = excluded."currency"
    WHERE excluded."updatedAt" >= "OrderSnapshot"."updatedAt"`;
  if (stored === 0) return; // a newer snapshot won meanwhile
  affected.orderIds.add(e.orderId);
  if (e.customerLocale) await rememberOrderLocale(tx, shop, e.orderId, e.customerLocale);
  await writeOrderLines(tx, shop, e, e.lines.slice(linesStored), customer, touched);
  for (const line of e.lines) if (line.variantId) affected.variantIds.add(line.variantId);
}

/**
 * Writes lines [from, to) of an order in its own transaction, before the transaction that
 * stores the order's snapshot (see the worker): each slice is short, and a crash between
 * slices is harmless, because writing a line again with the same event changes nothing
 * and the snapshot, the re-derivation and "done" come last, together. Returns false when
 * the stored order is newer (the event is stale: nothing to write).
 */
export async function applyOrderLineSlice(tx: Tx, shop: string, e: OrderSnapshotEvent, from: number, to: number): Promise<boolean> {
  const existing = await tx.orderSnapshot.findUnique({
    where: { shop_orderId: { shop, orderId: e.orderId } },
    select: { updatedAt: true },
  });
  if (!snapshotWins(e, existing)) return false;
  await writeOrderLines(tx, shop, e, e.lines.slice(from, to), await customerUnlessRedacted(tx, shop, e.orderId, e.customer));
  return true;
}

type LineRow = Omit<Prisma.BackorderLineCreateManyInput, "shop" | "lineItemId" | "state">;

/** Fields of a line that the order snapshot sets (everything else is derived or observed). */
const SNAPSHOT_FIELDS = [
  "orderId",
  "orderName",
  "orderedAt",
  "variantId",
  "productId",
  "title",
  "sku",
  "snapshotQuantity",
  "snapshotOpenQuantity",
  "quantity",
  "openQuantity",
  "cancelledAt",
  "unitPrice",
  "currency",
  "customerId",
  "customerName",
  "customerEmail",
] as const satisfies readonly (keyof LineRow)[];

const STORED_LINE = Object.fromEntries([["lineItemId", true], ...SNAPSHOT_FIELDS.map((f) => [f, true])]) as { lineItemId: true } & {
  [F in (typeof SNAPSHOT_FIELDS)[number]]: true;
};

const sameValue = (a: unknown, b: unknown) =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : (a ?? null) === (b ?? null);

/** `customer`: the order's customer as we may keep it (customerUnlessRedacted). */
async function writeOrderLines(
  tx: Tx,
  shop: string,
  e: OrderSnapshotEvent,
  lines: OrderLineSnapshot[],
  customer: Customer | null,
  touched?: Set<string>,
) {
  const tracked = lines.filter((l): l is OrderLineSnapshot & { variantId: string } => l.variantId !== null); // custom items: nothing to allocate
  if (tracked.length === 0) return;
  const [adjustments, known] = await Promise.all([
    loadAdjustments(tx, shop, e.orderId),
    inChunks(
      tracked.map((l) => l.lineItemId),
      (ids) => tx.backorderLine.findMany({ where: { shop, lineItemId: { in: ids } }, select: STORED_LINE }),
    ),
  ]);
  const knownOf = new Map(known.map((l) => [l.lineItemId, l]));
  const ref = snapshotRef({
    updatedAt: e.updatedAt,
    refundIds: JSON.stringify(e.refundIds),
    fulfillmentIds: JSON.stringify(e.fulfillmentIds),
  });
  const ofLine = adjustmentsByLine(adjustments);
  const created: Prisma.BackorderLineCreateManyInput[] = [];
  const changes = new Map<string, { data: Prisma.BackorderLineUpdateManyMutationInput; ids: string[] }>();
  for (const line of tracked) {
    const q = effectiveQuantities(line, ref, ofLine.get(line.lineItemId) ?? []);
    const common: LineRow = {
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
    const stored = knownOf.get(line.lineItemId);
    if (!stored) {
      created.push({ shop, lineItemId: line.lineItemId, ...common, state: PENDING_LINE_STATE }); // pending: the derivation finds it
      continue;
    }
    const diff: Record<string, unknown> = {};
    for (const f of SNAPSHOT_FIELDS) if (f in common && !sameValue(common[f], stored[f])) diff[f] = common[f];
    if (Object.keys(diff).length === 0) continue;
    touched?.add(line.lineItemId);
    const k = JSON.stringify(diff);
    const group = changes.get(k) ?? { data: diff as Prisma.BackorderLineUpdateManyMutationInput, ids: [] as string[] };
    group.ids.push(line.lineItemId);
    changes.set(k, group);
  }
  if (created.length) await tx.backorderLine.createMany({ data: created });
  for (const { data, ids } of changes.values()) {
    await eachChunk(ids, (chunk) => tx.backorderLine.updateMany({ where: { shop, lineItemId: { in: chunk } }, data }));
  }
}

async function applyAdjustment(tx: Tx, shop: string, e: OrderAdjustmentEvent, affected: Affected, touched: Set<string>) {
  const key = `${e.adjustment}:${e.id}`;
  for (const line of e.lines) {
    const where = { shop_key_lineItemId: { shop, key, lineItemId: line.lineItemId } };
    const data = { orderId: e.orderId, kind: e.adjustment, quantity: line.quantity, occurredAt: e.occurredAt };
    await tx.orderAdjustment.upsert({ where, create: { shop, key, lineItemId: line.lineItemId, ...data }, update: data });
  }
  affected.orderIds.add(e.orderId);
  for (const v of await recomputeOrderLines(tx, shop, e.orderId, touched)) affected.variantIds.add(v);
}

async function applyInventory(tx: Tx, shop: string, e: InventoryLevelEvent, affected: Affected) {
  const key = { shop_inventoryItemId_locationId: { shop, inventoryItemId: e.inventoryItemId, locationId: e.locationId } };
  const existing = await tx.inventoryLevel.findUnique({ where: key });
  // Same second, different value (a flash sale moves stock several times a second and
  // updated_at has whole seconds): the lower wins, so we hold rather than promise stock
  // we may not have; the next event settles it.
  if (!inventoryLevelWins(e, existing)) return;
  // The same rule in one statement, so a level stored meanwhile by another transaction (the
  // catalog sync) is compared with, not overwritten by a read-compare-write.
  const stored = await tx.$executeRaw`
    INSERT INTO "InventoryLevel" ("shop", "inventoryItemId", "locationId", "available", "updatedAt")
    VALUES (${shop}, ${e.inventoryItemId}, ${e.locationId}, ${e.available}, ${e.updatedAt})
    ON CONFLICT ("shop", "inventoryItemId", "locationId") DO UPDATE SET "available" = excluded."available", "updatedAt" = excluded."updatedAt"
    WHERE excluded."updatedAt" > "InventoryLevel"."updatedAt"
       OR (excluded."updatedAt" = "InventoryLevel"."updatedAt" AND excluded."available" < "InventoryLevel"."available")`;
  if (stored === 0) return;
  const variants = await tx.variant.findMany({ where: { shop, inventoryItemId: e.inventoryItemId }, select: { variantId: true } });
  for (const v of variants) affected.variantIds.add(v.variantId);
}

async function applyProduct(tx: Tx, shop: string, e: ProductEvent, affected: Affected) {
  for (const v of e.variants) {
    const key = { shop_variantId: { shop, variantId: v.variantId } };
    const existing = await tx.variant.findUnique({ where: key, select: { productUpdatedAt: true } });
    if (!productWins(e, existing && { updatedAt: existing.productUpdatedAt })) continue; // stale
    // productWins in one statement: a newer product stored meanwhile is not overwritten.
    const stored = await tx.$executeRaw`
      INSERT INTO "Variant" ("shop", "variantId", "productId", "inventoryItemId", "productTitle", "title", "sku", "price", "inventoryPolicy", "productTags", "productUpdatedAt")
      VALUES (${shop}, ${v.variantId}, ${e.productId}, ${v.inventoryItemId}, ${e.title}, ${v.title}, ${v.sku}, ${v.price}, ${v.inventoryPolicy}, ${e.tags}, ${e.updatedAt})
      ON CONFLICT ("shop", "variantId") DO UPDATE SET
        "productId" = excluded."productId", "inventoryItemId" = excluded."inventoryItemId", "productTitle" = excluded."productTitle",
        "title" = excluded."title", "sku" = excluded."sku", "price" = excluded."price", "inventoryPolicy" = excluded."inventoryPolicy",
        "productTags" = excluded."productTags", "productUpdatedAt" = excluded."productUpdatedAt"
      WHERE excluded."productUpdatedAt" >= "Variant"."productUpdatedAt"`;
    if (stored === 0) continue;
    affected.variantIds.add(v.variantId);
  }
}
