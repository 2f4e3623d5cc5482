// The variants page: the catalog with each variant's backorder settings and queue size,
// and saving settings for one or many variants (with the storefront sync they imply).
import type { Db } from "../db/client.server.ts";
import { LINE_STATE } from "../backorder/line-state.ts";
import { inChunks } from "../db/chunks.ts";
import { SYNC_KIND } from "../sync/task-kind.ts";
import { enqueueTasks } from "../sync/tasks.server.ts";
import { applyPolicyPatch } from "./policies.server.ts";
import { dialectOf, num, rawQuery, SqlParams } from "./sql.server.ts";
import { escapeLike } from "../db/sqlite-like-escape.ts";
import { calendarDate, fromCalendarDate } from "../backorder/eta.ts";
import { loadShopDefaults, shopToday } from "./shop-context.server.ts";
import { validateVariantSettings, type VariantSettingsInput, type VariantSettingsResult } from "./variant-settings.ts";

export const VARIANTS_PAGE_SIZE = 50;
/** Offset pagination is fine for catalogs, but a hand-edited ?page=99999 must stay cheap. */
export const MAX_VARIANT_PAGE = 400;

export interface VariantRow {
  variantId: string;
  productTitle: string;
  title: string;
  sku: string | null;
  inventoryPolicy: string;
  enabled: boolean;
  autoEnable: boolean;
  maxBackorder: number | null;
  restockDate: string | null;
  incomingQuantity: number | null;
  leadTimeDays: number | null;
  message: string | null;
  waitingUnits: number;
}

export interface VariantsPage {
  rows: VariantRow[];
  page: number;
  total: number;
  hasNext: boolean;
  defaultLeadTimeDays: number;
  today: string;
}

export type VariantFilter = "all" | "enabled" | "backordered";

export async function loadVariantsPage(
  client: Db,
  shop: string,
  { search = "", page = 1, filter = "all" as VariantFilter, now = new Date() } = {},
): Promise<VariantsPage> {
  const p = Math.min(Math.max(1, Math.floor(page) || 1), MAX_VARIANT_PAGE);
  const [{ ids: pageIds, total }, defaults] = await Promise.all([
    findVariantPage(client, shop, { search, filter, skip: (p - 1) * VARIANTS_PAGE_SIZE, take: VARIANTS_PAGE_SIZE + 1 }),
    loadShopDefaults(client, shop),
  ]);
  const found = new Map((await client.variant.findMany({ where: { shop, variantId: { in: pageIds } } })).map((v) => [v.variantId, v]));
  const variants = pageIds.flatMap((id) => found.get(id) ?? []);
  const rows = variants.slice(0, VARIANTS_PAGE_SIZE);
  const ids = rows.map((v) => v.variantId);
  const [policies, waiting] = await Promise.all([
    client.variantPolicy.findMany({ where: { shop, variantId: { in: ids } } }),
    client.backorderLine.groupBy({
      by: ["variantId"],
      where: { shop, state: LINE_STATE.waiting, variantId: { in: ids } },
      _sum: { waitingQuantity: true },
    }),
  ]);
  const policyById = new Map(policies.map((x) => [x.variantId, x]));
  const waitingById = new Map(waiting.map((w) => [w.variantId, w._sum.waitingQuantity ?? 0]));
  return {
    page: p,
    total,
    hasNext: variants.length > VARIANTS_PAGE_SIZE && p < MAX_VARIANT_PAGE,
    defaultLeadTimeDays: defaults.defaultLeadTimeDays,
    today: shopToday(defaults, now),
    rows: rows.map((v) => {
      const pol = policyById.get(v.variantId);
      return {
        variantId: v.variantId,
        productTitle: v.productTitle,
        title: v.title,
        sku: v.sku,
        inventoryPolicy: v.inventoryPolicy,
        enabled: pol?.enabled ?? false,
        autoEnable: pol?.autoEnable ?? false,
        maxBackorder: pol?.maxBackorder ?? null,
        restockDate: calendarDate(pol?.restockDate ?? null),
        incomingQuantity: pol?.incomingQuantity ?? null,
        leadTimeDays: pol?.leadTimeDays ?? null,
        message: pol?.message ?? null,
        waitingUnits: waitingById.get(v.variantId) ?? 0,
      };
    }),
  };
}

/**
 * The page's variant ids, in the page's order, and the number matching. The filters are
 * EXISTS subqueries: a list of every enabled id in an IN (...) would pass SQLite's
 * bound-parameter limit on a large catalog. Search matches the text literally (a `%` or `_`
 * typed is not a wildcard), case-insensitively as Prisma's `contains` does on each database.
 */
async function findVariantPage(
  client: Db,
  shop: string,
  q: { search: string; filter: VariantFilter; skip: number; take: number },
): Promise<{ ids: string[]; total: number }> {
  const params = new SqlParams(dialectOf(client));
  const where = [`v."shop" = ${params.p(shop)}`];
  if (q.search) {
    const pattern = `%${escapeLike(q.search)}%`;
    const like = params.dialect === "postgres" ? "ILIKE" : "LIKE";
    where.push(`(${["productTitle", "title", "sku"].map((c) => `v."${c}" ${like} ${params.p(pattern)} ESCAPE '\\'`).join(" OR ")})`);
  }
  if (q.filter === "enabled") {
    where.push(`EXISTS (SELECT 1 FROM "VariantPolicy" p WHERE p."shop" = v."shop" AND p."variantId" = v."variantId" AND p."enabled")`);
  } else if (q.filter === "backordered") {
    where.push(
      `EXISTS (SELECT 1 FROM "BackorderLine" l WHERE l."shop" = v."shop" AND l."variantId" = v."variantId" AND l."state" = '${LINE_STATE.waiting}')`,
    );
  }
  const from = `FROM "Variant" v WHERE ${where.join(" AND ")}`;
  const countParams = new SqlParams(params.dialect);
  countParams.values.push(...params.values);
  const [rows, count] = await Promise.all([
    rawQuery<{ variantId: string }>(
      client,
      params,
      `SELECT v."variantId" ${from} ORDER BY v."productTitle", v."title", v."variantId" LIMIT ${q.take} OFFSET ${q.skip}`,
    ),
    rawQuery<{ n: unknown }>(client, countParams, `SELECT COUNT(*) AS n ${from}`),
  ]);
  return { ids: rows.map((r) => r.variantId), total: num(count[0]?.n) };
}

export type SaveVariantsResult = VariantSettingsResult & { saved?: number };

/** Validates and applies the settings form to the given variants (only this shop's). */
export async function saveVariantSettings(
  client: Db,
  shop: string,
  variantIds: string[],
  input: VariantSettingsInput,
  now = new Date(),
): Promise<SaveVariantsResult> {
  const ids = [...new Set(variantIds.filter(Boolean))].slice(0, 1000);
  if (ids.length === 0) return { ok: false, errors: { form: "Select at least one variant." } };
  const today = shopToday(await loadShopDefaults(client, shop), now);
  const result = validateVariantSettings(input, { today, bulk: ids.length > 1 });
  if (!result.ok) return result;
  const { restockDate, ...rest } = result.patch;
  const data = {
    ...rest,
    ...(restockDate !== undefined ? { restockDate: restockDate === null ? null : fromCalendarDate(restockDate) } : {}),
  };
  const saved = await client.$transaction(async (tx) => {
    const known = (
      await inChunks(ids, (chunk) => tx.variant.findMany({ where: { shop, variantId: { in: chunk } }, select: { variantId: true } }))
    ).map((v) => v.variantId);
    await applyPolicyPatch(tx, shop, known, data);
    await enqueueTasks(tx, shop, SYNC_KIND.variant, known, now);
    return known.length;
  });
  if (saved === 0) return { ok: false, errors: { form: "None of the selected variants belong to this shop." } };
  return { ...result, saved };
}
