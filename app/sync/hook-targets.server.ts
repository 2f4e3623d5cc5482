// What the engine hook (hooks.server.ts) needs to know of the variants and orders a change
// touched, to decide which pushes to queue: one statement per side (per chunk of ids) instead
// of a findMany per table. Plain SQL because the hook runs once per worker chunk of a flash
// sale, where Prisma's query compiler and row mapping cost more than the database (decision
// 0029); the touched ids go in once, as a VALUES list, and each table is joined to it.
import { LINE_STATE } from "../backorder/line-state.ts";
import { inChunks } from "../db/chunks.ts";
import type { Tx } from "../db/client.server.ts";
import { indexedBy } from "../admin/sql.server.ts";
import { dialectOf } from "../db/dialect.ts";
import { SqlParams } from "../db/sql-params.ts";
import type { ManagedVariant } from "./stop-selling.server.ts";

export interface TouchedVariant {
  variantId: string;
  /** Its VariantPolicy (null: the app does not manage it). */
  policy: ManagedVariant | null;
  /** The app has told Shopify something of it before (a SyncedVariant row). */
  synced: boolean;
}

export interface TouchedOrder {
  orderId: string;
  /** A line of it waits. */
  waiting: boolean;
  /** The app has told Shopify something of it before (a SyncedOrder row). */
  synced: boolean;
  /** The customer's promise last written to Shopify (SyncedOrder.promiseValue). */
  promiseValue: string | null;
  /** The app holds one of its fulfillment orders (an OrderHold row). */
  held: boolean;
}

/** The touched variants that have a policy or a SyncedVariant row (the others concern no push). */
export async function touchedVariants(tx: Tx, shop: string, variantIds: Iterable<string>): Promise<TouchedVariant[]> {
  const rows = await inChunks(new Set(variantIds), (ids) => {
    const p = new SqlParams(dialectOf(tx));
    return tx.$queryRawUnsafe<Record<string, unknown>[]>(
      `WITH "touched"("id") AS (VALUES ${touchedList(p, ids)})
      SELECT t."id" AS "variantId", p."variantId" IS NOT NULL AS "managed", p."enabled", p."maxBackorder",
             s."variantId" IS NOT NULL AS "synced"
        FROM "touched" t
        LEFT JOIN "VariantPolicy" p ON p."shop" = ${p.p(shop)} AND p."variantId" = t."id"
        LEFT JOIN "SyncedVariant" s ON s."shop" = ${p.p(shop)} AND s."variantId" = t."id"
       WHERE p."variantId" IS NOT NULL OR s."variantId" IS NOT NULL`,
      ...p.values,
    );
  });
  return rows.map((r) => {
    const variantId = String(r.variantId);
    const policy = flag(r.managed)
      ? { variantId, enabled: flag(r.enabled), maxBackorder: r.maxBackorder == null ? null : Number(r.maxBackorder) }
      : null;
    return { variantId, policy, synced: flag(r.synced) };
  });
}

/** Every touched order, with what the hook asks of it (one row per order, whether or not anything is known of it). */
export async function touchedOrders(tx: Tx, shop: string, orderIds: Iterable<string>): Promise<TouchedOrder[]> {
  const rows = await inChunks(new Set(orderIds), (ids) => {
    const p = new SqlParams(dialectOf(tx));
    // EXISTS, not a join: an order has many lines and may have several holds. SQLite, left to
    // itself, looks for an order's lines in the dashboard's covering index by shop alone
    // (every line of the shop, per order: 0.2 ms an event in the flash sale), not by order.
    return tx.$queryRawUnsafe<Record<string, unknown>[]>(
      `WITH "touched"("id") AS (VALUES ${touchedList(p, ids)})
      SELECT t."id" AS "orderId",
             EXISTS (SELECT 1 FROM "BackorderLine" l${indexedBy(p.dialect, "BackorderLine_shop_orderId_idx")}
                      WHERE l."shop" = ${p.p(shop)} AND l."orderId" = t."id" AND l."state" = ${p.p(LINE_STATE.waiting)}) AS "waiting",
             o."orderId" IS NOT NULL AS "synced", o."promiseValue",
             EXISTS (SELECT 1 FROM "OrderHold" h WHERE h."shop" = ${p.p(shop)} AND h."orderId" = t."id") AS "held"
        FROM "touched" t
        LEFT JOIN "SyncedOrder" o ON o."shop" = ${p.p(shop)} AND o."orderId" = t."id"`,
      ...p.values,
    );
  });
  return rows.map((r) => ({
    orderId: String(r.orderId),
    waiting: flag(r.waiting),
    synced: flag(r.synced),
    promiseValue: r.promiseValue == null ? null : String(r.promiseValue),
    held: flag(r.held),
  }));
}

/** `(?), (?), …`: the ids as a one-column VALUES list (PostgreSQL and SQLite both call it column1; the CTE names it). */
const touchedList = (p: SqlParams, ids: readonly string[]) => ids.map((id) => `(${p.p(id)})`).join(", ");

/** A boolean as the drivers return it: PostgreSQL true/false, SQLite 1/0. */
const flag = (value: unknown) => value === true || Number(value) === 1;
