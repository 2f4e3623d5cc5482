// The shop's settings row (or the schema's defaults before one exists) and "today"
// in the shop's time zone: what ETAs and date validation are computed against.
import { todayIn } from "../backorder/eta.ts";
import { DEFAULT_HOLD_MODE, isHoldMode } from "../backorder/hold-plan.ts";
import type { Db, Tx } from "../db/client.server.ts";
import { DEFAULT_SHOP_FACTS } from "../engine/storefront-facts.server.ts";
import { DEFAULT_ORDER_TAG } from "../sync/order-sync.server.ts";
import type { ShopSettingsValues } from "./shop-settings.ts";

export interface ShopDefaults extends ShopSettingsValues {
  timezone: string;
  currency: string;
}

// Mirrors ShopSettings' @default values in prisma/schema.prisma.
export const SCHEMA_DEFAULTS: ShopDefaults = {
  ...DEFAULT_SHOP_FACTS,
  autoEnableTag: null,
  autoEnableCollectionId: null,
  orderTag: DEFAULT_ORDER_TAG,
  holdMode: DEFAULT_HOLD_MODE,
  flowTriggers: true,
  timezone: "UTC",
  currency: "USD",
};

const SELECT = {
  messageTemplate: true,
  defaultLeadTimeDays: true,
  processingDays: true,
  autoEnableTag: true,
  autoEnableCollectionId: true,
  orderTag: true,
  holdMode: true,
  flowTriggers: true,
  timezone: true,
  currency: true,
} as const satisfies Record<keyof ShopDefaults, true>;

export async function loadShopDefaults(client: Db | Tx, shop: string): Promise<ShopDefaults> {
  const row = await client.shopSettings.findUnique({ where: { shop }, select: SELECT });
  // holdMode is a string column; anything but a known mode reads as the default.
  return row ? { ...row, holdMode: isHoldMode(row.holdMode) ? row.holdMode : SCHEMA_DEFAULTS.holdMode } : SCHEMA_DEFAULTS;
}

export const shopToday = (defaults: Pick<ShopDefaults, "timezone">, now: Date): string => todayIn(defaults.timezone, now);
