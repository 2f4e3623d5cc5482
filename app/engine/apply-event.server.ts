// Applies one domain event to the stored facts, then re-derives what depends on them.
// Every branch is idempotent and ignores stale data, so the inbox may deliver twice,
// late or out of order and the queue still converges.
import { rememberOrderLocales } from "../email/order-locale.server.ts";
import type {
  Customer,
  DomainEvent,
  InventoryLevelEvent,
  LineLocationsEvent,
  OrderAdjustmentEvent,
  OrderLineSnapshot,
  OrderSnapshotEvent,
  ProductEvent,
} from "../backorder/events.ts";
import type { Prisma, Tx } from "../db/client.server.ts";
import { chunks, eachChunk, inChunks } from "../db/chunks.ts";
import { dialectOf } from "../db/dialect.ts";
import { jsonRows, valuesList } from "../db/values-list.ts";
import {
  customerToKeep,
  encodeParts,
  inventoryLevelWins,
  linePartsOf,
  linePartWins,
  productWins,
  snapshotWins,
  winnerOf,
  type LineLocationFact,
} from "../backorder/fact-rules.ts";
import { PENDING_LINE_STATE } from "../backorder/line-state.ts";
import { effectiveQuantities } from "../backorder/order-lines.ts";
import {
  adjustmentsByLine,
  deriveVariant,
  deriveVariantBounded,
  deriveVariantsWhole,
  loadOrdersAdjustments,
  OPEN_OR_LIVE,
  recomputeOrderLines,
  recomputeVariant,
  SMALL_VARIANT_LINES,
  snapshotRef,
  writeDerivation,
} from "./recompute.server.ts";
import {
  customerUnlessRedacted,
  deleteShopData,
  recordDataRequest,
  redactCustomer,
  uninstallShop,
  updateGrantedScopes,
} from "./compliance.server.ts";
import { lockShopEngine } from "./engine-lock.server.ts";
import { insertNewLines, NewLines, SNAPSHOT_FIELDS, type NewLine } from "./new-lines.server.ts";
import { SYNC_KIND } from "../sync/task-kind.ts";
import { enqueueTasks } from "../sync/tasks.server.ts";

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
  // The runs' new lines, held until the derivation below writes them derived (decision 0036).
  const held = new NewLines();
  const list = [...events];
  for (let i = 0; i < list.length;) {
    const run = storableTogether(list, i);
    if (run.length <= 1) await held.store(tx); // an event applied on its own may read any line
    const a =
      run.length > 1
        ? await applyFactsTogether(tx, shop, run, pending, touched, held)
        : await applyEventFacts(
            tx,
            shop,
            list[i]!.event,
            list[i]!.reason,
            list[i]!.derived ? new Map() : pending,
            list[i]!.linesStored,
            touched,
          );
    a.variantIds.forEach((v) => affected.variantIds.add(v));
    a.orderIds.forEach((o) => affected.orderIds.add(o));
    i += Math.max(1, run.length);
  }
  await recomputeVariants(tx, shop, pending, affected, touched, held);
  return affected;
}

const levelKey = (e: InventoryLevelEvent) => `${e.inventoryItemId}|${e.locationId}`;

/**
 * The events from `from` whose facts can be stored with a few statements for all of them:
 * a row of order snapshots and inventory levels (a flash sale's stream), each order and each
 * item's location at most once (a statement compares each row with the stored one, not with
 * another row of its own), none applied in slices. Orders and levels are different facts, so
 * storing all the orders, then all the levels, ends where applying them one by one does.
 */
function storableTogether(list: EventToApply[], from: number): EventToApply[] {
  const seen = new Set<string>();
  let end = from;
  for (; end < list.length; end++) {
    const { event, linesStored, derived } = list[end]!;
    if (linesStored || derived) break;
    const key = event.kind === "order" ? `o:${event.orderId}` : event.kind === "inventory" ? `l:${levelKey(event)}` : null;
    if (key === null || seen.has(key)) break;
    seen.add(key);
  }
  return list.slice(from, end);
}

/** applyEventFacts for a run of storableTogether, set-based; each event's variants marked pending in the run's order. */
async function applyFactsTogether(
  tx: Tx,
  shop: string,
  run: EventToApply[],
  pending: PendingRecompute,
  touched: Set<string>,
  held: NewLines,
): Promise<Affected> {
  const orders = run.flatMap(({ event }) => (event.kind === "order" ? [event] : []));
  const levels = run.flatMap(({ event }) => (event.kind === "inventory" ? [event] : []));
  const storedOrders = await storeOrderSnapshots(
    tx,
    shop,
    orders.map((e) => ({ e, linesStored: 0 })),
    touched,
    held,
  );
  const variantsOfLevel = await storeInventoryLevels(tx, shop, levels);
  const affected = emptyAffected();
  for (const { event, reason } of run) {
    let variants: string[] = [];
    if (event.kind === "order" && storedOrders.has(event.orderId)) {
      affected.orderIds.add(event.orderId);
      variants = event.lines.flatMap((l) => (l.variantId ? [l.variantId] : []));
    } else if (event.kind === "inventory") {
      variants = variantsOfLevel.get(levelKey(event)) ?? [];
    }
    const mine = new Set(variants);
    for (const v of mine) {
      affected.variantIds.add(v);
      markPending(pending, v, businessTime(event as OrderSnapshotEvent | InventoryLevelEvent), reason);
    }
  }
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
  held?: NewLines,
) {
  if (pending.size === 1) {
    await held?.store(tx);
    const [variantId, { at, reason }] = [...pending][0]!;
    for (const orderId of await recomputeVariant(tx, shop, variantId, at, reason, touched)) affected.orderIds.add(orderId);
    return;
  }
  // How many lines each variant has to derive, in one query: a variant without any has nothing
  // to change (a catalog chunk touches hundreds, few with backorders); the small ones are derived
  // together (three queries for all) and written together; a large one on its own, bounded.
  const counts = new Map(
    (
      await inChunks(pending.keys(), (ids) =>
        tx.backorderLine.groupBy({ by: ["variantId"], where: { shop, variantId: { in: ids }, ...OPEN_OR_LIVE }, _count: { _all: true } }),
      )
    ).map((g) => [g.variantId, g._count._all]),
  );
  // Held new lines are pending, so read by the derivation as the stored ones are.
  for (const [variantId, n] of held?.countByVariant() ?? []) counts.set(variantId, (counts.get(variantId) ?? 0) + n);
  const small = [...pending]
    .filter(([variantId]) => (counts.get(variantId) ?? 0) > 0 && counts.get(variantId)! <= SMALL_VARIANT_LINES)
    .map(([variantId, { at, reason }]) => ({ variantId, at, reason }));
  if (held) {
    // Only the small variants' derivation takes held lines: the others' are stored first, pending.
    const together = new Set(small.map((v) => v.variantId));
    await held.store(tx, (variantId) => !together.has(variantId));
  }
  const changes = await deriveVariantsWhole(tx, shop, small, held);
  for (const orderId of await writeDerivation(tx, shop, changes, held)) affected.orderIds.add(orderId);
  await held?.store(tx); // none left: every held line is pending, so derived and written above
  for (const [variantId, { at, reason }] of pending) {
    if ((counts.get(variantId) ?? 0) <= SMALL_VARIANT_LINES) continue;
    const changes = touched
      ? await deriveVariantBounded(tx, shop, variantId, at, reason, touched)
      : await deriveVariant(tx, shop, variantId, at, reason);
    for (const orderId of await writeDerivation(tx, shop, changes)) affected.orderIds.add(orderId);
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
    case "line_locations":
      await applyLineLocations(tx, shop, event, affected, touched);
      break;
    case "fulfillment_orders_assigned":
      // Read each from the Admin API (app/sync/location-sync.server.ts), which brings the lines' locations.
      await enqueueTasks(tx, shop, SYNC_KIND.locations, event.fulfillmentOrderIds);
      return affected;
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

function businessTime(e: OrderSnapshotEvent | OrderAdjustmentEvent | InventoryLevelEvent | ProductEvent | LineLocationsEvent): Date {
  switch (e.kind) {
    case "adjustment":
      return e.occurredAt;
    case "line_locations":
      return new Date(Math.max(0, ...e.lines.map((l) => l.sourceAt.getTime())));
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
  if (!snapshotWins(e, existing)) return; // stale: skipped cheaply, before the write below decides
  if (!(await storeOrderSnapshots(tx, shop, [{ e, linesStored }], touched)).has(e.orderId)) return; // a newer one won meanwhile
  affected.orderIds.add(e.orderId);
  for (const line of e.lines) if (line.variantId) affected.variantIds.add(line.variantId);
}

/** Snapshots per INSERT (one JSON parameter): a chunk's in one (each statement costs the client a compile and a round trip). */
const SNAPSHOTS_PER_STATEMENT = 1_000;

/**
 * Stores order snapshots (each order at most once) and the lines of those that win; returns
 * the orders stored. snapshotWins is decided by the statement itself (a newer snapshot stored
 * meanwhile by another transaction is not overwritten), for all the orders in one statement;
 * on PostgreSQL the rows it writes stay locked, so an order's lines are written by one
 * transaction at a time. customers/redact erased an order's customer: Shopify still sends
 * them, we do not keep them.
 */
async function storeOrderSnapshots(
  tx: Tx,
  shop: string,
  orders: { e: OrderSnapshotEvent; linesStored: number }[],
  touched: Set<string>,
  held?: NewLines,
): Promise<Set<string>> {
  const stored = new Set<string>();
  if (orders.length === 0) return stored;
  const withCustomer = orders.filter(({ e }) => e.customer).map(({ e }) => e.orderId);
  const redacted = new Set(
    (
      await inChunks(withCustomer, (ids) =>
        tx.redactedOrder.findMany({ where: { shop, orderId: ids.length === 1 ? ids[0]! : { in: ids } }, select: { orderId: true } }),
      )
    ).map((r) => r.orderId),
  );
  const customerOf = new Map(orders.map(({ e }) => [e.orderId, customerToKeep(e.customer, redacted.has(e.orderId))]));
  const columns = [
    "shop",
    "orderId",
    "name",
    "createdAt",
    "updatedAt",
    "cancelledAt",
    "refundIds",
    "fulfillmentIds",
    "customerId",
    "currency",
  ];
  const dialect = dialectOf(tx);
  for (const chunk of chunks(orders, SNAPSHOTS_PER_STATEMENT)) {
    const rows = chunk.map(({ e }) => [
      shop,
      e.orderId,
      e.name,
      e.createdAt,
      e.updatedAt,
      e.cancelledAt,
      JSON.stringify(e.refundIds),
      JSON.stringify(e.fulfillmentIds),
      customerOf.get(e.orderId)?.id ?? null,
      e.currency,
    ]);
    // As one JSON parameter (decision 0039).
    const json = jsonRows(dialect, "OrderSnapshot", columns, rows);
    const written = await tx.$queryRawUnsafe<{ orderId: string }[]>(
      `INSERT INTO "OrderSnapshot" (${columns.map((c) => `"${c}"`).join(", ")})
      ${json.select}
      ON CONFLICT ("shop", "orderId") DO UPDATE SET
        "name" = excluded."name", "createdAt" = excluded."createdAt", "updatedAt" = excluded."updatedAt", "cancelledAt" = excluded."cancelledAt",
        "refundIds" = excluded."refundIds", "fulfillmentIds" = excluded."fulfillmentIds", "customerId" = excluded."customerId", "currency" = excluded."currency"
      WHERE excluded."updatedAt" >= "OrderSnapshot"."updatedAt"
      RETURNING "orderId"`,
      json.param,
    );
    for (const r of written) stored.add(r.orderId);
  }
  const fresh = orders.filter(({ e }) => stored.has(e.orderId));
  await rememberOrderLocales(
    tx,
    shop,
    fresh.flatMap(({ e }) => (e.customerLocale ? [{ orderId: e.orderId, locale: e.customerLocale }] : [])),
  );
  await writeOrderLines(
    tx,
    shop,
    fresh.map(({ e, linesStored }) => ({ e, lines: e.lines.slice(linesStored), customer: customerOf.get(e.orderId) ?? null })),
    touched,
    held,
  );
  return stored;
}

/** Rows per multi-row INSERT of levels (5 parameters each). */
const LEVELS_PER_STATEMENT = 80;

/**
 * Stores inventory levels (each item's location at most once) by inventoryLevelWins, decided
 * by the statement (a level stored meanwhile by another transaction, the catalog sync, is
 * compared with, not overwritten); returns the variants of each level stored, by levelKey.
 */
async function storeInventoryLevels(tx: Tx, shop: string, levels: InventoryLevelEvent[]): Promise<Map<string, string[]>> {
  const variantsOf = new Map<string, string[]>();
  if (levels.length === 0) return variantsOf;
  const written: { inventoryItemId: string; locationId: string }[] = [];
  for (const chunk of chunks(levels, LEVELS_PER_STATEMENT)) {
    const values = valuesList(
      dialectOf(tx),
      chunk.map((e) => [shop, e.inventoryItemId, e.locationId, e.available, e.updatedAt]),
    );
    // Same second, different value (a flash sale moves stock several times a second and
    // updated_at has whole seconds): the lower wins, so we hold rather than promise stock
    // we may not have; the next event settles it.
    written.push(
      ...(await tx.$queryRawUnsafe<{ inventoryItemId: string; locationId: string }[]>(
        `INSERT INTO "InventoryLevel" ("shop", "inventoryItemId", "locationId", "available", "updatedAt")
        VALUES ${values.sql}
        ON CONFLICT ("shop", "inventoryItemId", "locationId") DO UPDATE SET "available" = excluded."available", "updatedAt" = excluded."updatedAt"
        WHERE excluded."updatedAt" > "InventoryLevel"."updatedAt"
           OR (excluded."updatedAt" = "InventoryLevel"."updatedAt" AND excluded."available" < "InventoryLevel"."available")
        RETURNING "inventoryItemId", "locationId"`,
        ...values.params,
      )),
    );
  }
  if (written.length === 0) return variantsOf;
  const items = [...new Set(written.map((w) => w.inventoryItemId))];
  const variants = await inChunks(items, (ids) =>
    tx.variant.findMany({
      where: { shop, inventoryItemId: ids.length === 1 ? ids[0]! : { in: ids } },
      select: { variantId: true, inventoryItemId: true },
    }),
  );
  for (const w of written) {
    variantsOf.set(
      `${w.inventoryItemId}|${w.locationId}`,
      variants.filter((v) => v.inventoryItemId === w.inventoryItemId).map((v) => v.variantId),
    );
  }
  return variantsOf;
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
  await writeOrderLines(tx, shop, [
    { e, lines: e.lines.slice(from, to), customer: await customerUnlessRedacted(tx, shop, e.orderId, e.customer) },
  ]);
  return true;
}

type LineRow = Omit<Prisma.BackorderLineCreateManyInput, "shop" | "lineItemId" | "state">;

const STORED_LINE = Object.fromEntries([["lineItemId", true], ...SNAPSHOT_FIELDS.map((f) => [f, true])]) as { lineItemId: true } & {
  [F in (typeof SNAPSHOT_FIELDS)[number]]: true;
};

const sameValue = (a: unknown, b: unknown) =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : (a ?? null) === (b ?? null);

/** An order's lines to write, with its customer as we may keep it (customerUnlessRedacted). */
interface OrderLinesToWrite {
  e: OrderSnapshotEvent;
  lines: OrderLineSnapshot[];
  customer: Customer | null;
}

/**
 * Writes the lines of one order, or of several (a chunk's orders: a few statements for all of
 * them). `held`: new lines go there instead of the table (applyEvents' runs, decision 0036).
 */
async function writeOrderLines(tx: Tx, shop: string, orders: OrderLinesToWrite[], touched?: Set<string>, held?: NewLines) {
  const tracked = orders.flatMap(({ e, lines, customer }) =>
    lines.flatMap((line) => (line.variantId === null ? [] : [{ e, line: { ...line, variantId: line.variantId }, customer }])),
  ); // custom items: nothing to allocate
  if (tracked.length === 0) return;
  // A line held from an earlier run of the chunk is stored first, then compared as any other.
  if (held?.size && tracked.some((t) => held.has(t.line.lineItemId))) await held.store(tx);
  const [adjustments, known] = await Promise.all([
    loadOrdersAdjustments(tx, shop, [...new Set(tracked.map((t) => t.e.orderId))]),
    inChunks(
      tracked.map((t) => t.line.lineItemId),
      (ids) => tx.backorderLine.findMany({ where: { shop, lineItemId: { in: ids } }, select: STORED_LINE }),
    ),
  ]);
  const knownOf = new Map(known.map((l) => [l.lineItemId, l]));
  const refs = new Map<string, ReturnType<typeof snapshotRef>>();
  const refOf = (e: OrderSnapshotEvent) => {
    let ref = refs.get(e.orderId);
    if (!ref) {
      ref = snapshotRef({
        updatedAt: e.updatedAt,
        refundIds: JSON.stringify(e.refundIds),
        fulfillmentIds: JSON.stringify(e.fulfillmentIds),
      });
      refs.set(e.orderId, ref);
    }
    return ref;
  };
  const ofLine = new Map([...adjustments].map(([orderId, list]) => [orderId, adjustmentsByLine(list)]));
  const created: NewLine[] = [];
  const changes = new Map<string, { data: Prisma.BackorderLineUpdateManyMutationInput; ids: string[] }>();
  for (const { e, line, customer } of tracked) {
    const q = effectiveQuantities(line, refOf(e), ofLine.get(e.orderId)?.get(line.lineItemId) ?? []);
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
  if (created.length) {
    // A location read before the order's own webhook was applied waits in LineLocation.
    const located = await inChunks(
      created.map((c) => c.lineItemId),
      (ids) => tx.lineLocation.findMany({ where: { shop, lineItemId: { in: ids } } }),
    );
    const factsOf = new Map<string, LineLocationFact[]>();
    for (const l of located) factsOf.set(l.lineItemId, [...(factsOf.get(l.lineItemId) ?? []), l]);
    for (const c of created) {
      const facts = factsOf.get(c.lineItemId);
      if (!facts) continue;
      const { assigned, parts } = linePartsOf(facts);
      c.assignedLocationId = assigned;
      c.locationParts = encodeParts(parts);
    }
    if (held) held.add(created);
    else await insertNewLines(tx, created);
  }
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

/**
 * Stores each (line, fulfillment order) fact where it wins (linePartWins; the shop's engine lock
 * makes the read-compare-write one writer's), then sets the stored lines it names to their
 * parts (linePartsOf): the newest open part's location, and the parts when split.
 */
async function applyLineLocations(tx: Tx, shop: string, e: LineLocationsEvent, affected: Affected, touched: Set<string>) {
  const partKey = (lineItemId: string, fulfillmentOrderId: string) => `${lineItemId}|${fulfillmentOrderId}`;
  const byPart = new Map<string, LineLocationsEvent["lines"]>();
  for (const l of e.lines) {
    const k = partKey(l.lineItemId, l.fulfillmentOrderId);
    byPart.set(k, [...(byPart.get(k) ?? []), l]);
  }
  const lineIds = new Set(e.lines.map((l) => l.lineItemId));
  const storedRows = await inChunks(lineIds, (ids) => tx.lineLocation.findMany({ where: { shop, lineItemId: { in: ids } } }));
  const stored = new Map(storedRows.map((r) => [partKey(r.lineItemId, r.fulfillmentOrderId), r]));
  const changedLines = new Set<string>();
  for (const [k, facts] of byPart) {
    const best = winnerOf(facts, linePartWins)!;
    const current = stored.get(k) ?? null;
    if (current && !linePartWins(best, current)) continue;
    if (
      current &&
      current.locationId === best.locationId &&
      current.quantity === best.quantity &&
      current.sourceAt.getTime() === best.sourceAt.getTime()
    )
      continue;
    const { lineItemId, fulfillmentOrderId } = best;
    const data = { orderId: e.orderId, locationId: best.locationId, quantity: best.quantity, sourceAt: best.sourceAt };
    await tx.lineLocation.upsert({
      where: { shop_lineItemId_fulfillmentOrderId: { shop, lineItemId, fulfillmentOrderId } },
      create: { shop, lineItemId, fulfillmentOrderId, ...data },
      update: data,
    });
    stored.set(k, { shop, lineItemId, fulfillmentOrderId, ...data });
    changedLines.add(lineItemId);
  }
  if (changedLines.size === 0) return;
  const factsOf = new Map<string, LineLocationFact[]>();
  for (const r of stored.values()) if (changedLines.has(r.lineItemId)) factsOf.set(r.lineItemId, [...(factsOf.get(r.lineItemId) ?? []), r]);
  const lines = await inChunks(changedLines, (ids) =>
    tx.backorderLine.findMany({
      where: { shop, lineItemId: { in: ids } },
      select: { lineItemId: true, orderId: true, variantId: true, assignedLocationId: true, locationParts: true },
    }),
  );
  const byChange = new Map<string, { data: { assignedLocationId: string | null; locationParts: string | null }; ids: string[] }>();
  for (const line of lines) {
    const { assigned, parts } = linePartsOf(factsOf.get(line.lineItemId) ?? []);
    const data = { assignedLocationId: assigned, locationParts: encodeParts(parts) };
    if (line.assignedLocationId === data.assignedLocationId && line.locationParts === data.locationParts) continue;
    const k = JSON.stringify(data);
    byChange.set(k, { data, ids: [...(byChange.get(k)?.ids ?? []), line.lineItemId] });
    touched.add(line.lineItemId);
    affected.orderIds.add(line.orderId);
    affected.variantIds.add(line.variantId);
  }
  for (const { data, ids } of byChange.values()) {
    await eachChunk(ids, (chunk) => tx.backorderLine.updateMany({ where: { shop, lineItemId: { in: chunk } }, data }));
  }
}

async function applyInventory(tx: Tx, shop: string, e: InventoryLevelEvent, affected: Affected) {
  const key = { shop_inventoryItemId_locationId: { shop, inventoryItemId: e.inventoryItemId, locationId: e.locationId } };
  const existing = await tx.inventoryLevel.findUnique({ where: key });
  if (!inventoryLevelWins(e, existing)) return; // skipped cheaply, before the statement below decides
  for (const v of (await storeInventoryLevels(tx, shop, [e])).get(levelKey(e)) ?? []) affected.variantIds.add(v);
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
