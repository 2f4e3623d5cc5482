// The variants page: the catalog with each variant's backorder settings and queue size,
// and saving settings for one or many variants (with the storefront sync they imply).
import type { Db, Prisma } from "../db/client.server.ts";
import { enqueueTasks } from "../sync/tasks.server.ts";
import { applyPolicyPatch } from "./policies.server.ts";
import { dialectOf } from "./sql.server.ts";
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
  const and: Prisma.VariantWhereInput[] = [{ shop }];
  if (search) {
    const contains = (dialectOf(client) === "postgres" ? { contains: search, mode: "insensitive" } : { contains: search }) as Prisma.StringFilter;
    and.push({ OR: [{ productTitle: contains }, { title: contains }, { sku: contains }] });
  }
  if (filter !== "all") {
    // Both lists are per shop and small next to the catalog: enabled policies, or variants with waiting lines.
    const ids =
      filter === "enabled"
        ? (await client.variantPolicy.findMany({ where: { shop, enabled: true }, select: { variantId: true } })).map((r) => r.variantId)
        : (await client.backorderLine.groupBy({ by: ["variantId"], where: { shop, state: "waiting" } })).map((r) => r.variantId);
    and.push({ variantId: { in: ids } });
  }
  const where = { AND: and };
  const [variants, total, defaults] = await Promise.all([
    client.variant.findMany({
      where,
      orderBy: [{ productTitle: "asc" }, { title: "asc" }, { variantId: "asc" }],
      skip: (p - 1) * VARIANTS_PAGE_SIZE,
      take: VARIANTS_PAGE_SIZE + 1,
    }),
    client.variant.count({ where }),
    loadShopDefaults(client, shop),
  ]);
  const rows = variants.slice(0, VARIANTS_PAGE_SIZE);
  const ids = rows.map((v) => v.variantId);
  const [policies, waiting] = await Promise.all([
    client.variantPolicy.findMany({ where: { shop, variantId: { in: ids } } }),
    client.backorderLine.groupBy({ by: ["variantId"], where: { shop, state: "waiting", variantId: { in: ids } }, _sum: { waitingQuantity: true } }),
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
  const data = { ...rest, ...(restockDate !== undefined ? { restockDate: restockDate === null ? null : fromCalendarDate(restockDate) } : {}) };
  const saved = await client.$transaction(async (tx) => {
    const known = (await tx.variant.findMany({ where: { shop, variantId: { in: ids } }, select: { variantId: true } })).map((v) => v.variantId);
    await applyPolicyPatch(tx, shop, known, data);
    await enqueueTasks(tx, shop, "variant", known, now);
    return known.length;
  });
  if (saved === 0) return { ok: false, errors: { form: "None of the selected variants belong to this shop." } };
  return { ...result, saved };
}
