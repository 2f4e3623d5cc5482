// The shop's settings row (or the schema's defaults before one exists) and "today"
// in the shop's time zone: what ETAs and date validation are computed against.
import { todayIn } from "../backorder/eta.ts";
import type { Db, Tx } from "../db/client.server.ts";

export interface ShopDefaults {
  messageTemplate: string;
  defaultLeadTimeDays: number;
  processingDays: number;
  autoEnableTag: string | null;
  autoEnableCollectionId: string | null;
  orderTag: string;
  holdFulfillment: boolean;
  timezone: string;
  currency: string;
}

// Mirrors ShopSettings' @default values in prisma/schema.prisma.
export const SCHEMA_DEFAULTS: ShopDefaults = {
  messageTemplate: "Available for backorder — ships ~{date}",
  defaultLeadTimeDays: 14,
  processingDays: 1,
  autoEnableTag: null,
  autoEnableCollectionId: null,
  orderTag: "backorder",
  holdFulfillment: true,
  timezone: "UTC",
  currency: "USD",
};

export async function loadShopDefaults(client: Db | Tx, shop: string): Promise<ShopDefaults> {
  const row = await client.shopSettings.findUnique({ where: { shop } });
  if (!row) return SCHEMA_DEFAULTS;
  return {
    messageTemplate: row.messageTemplate,
    defaultLeadTimeDays: row.defaultLeadTimeDays,
    processingDays: row.processingDays,
    autoEnableTag: row.autoEnableTag,
    autoEnableCollectionId: row.autoEnableCollectionId,
    orderTag: row.orderTag,
    holdFulfillment: row.holdFulfillment,
    timezone: row.timezone,
    currency: row.currency,
  };
}

export const shopToday = (defaults: Pick<ShopDefaults, "timezone">, now: Date): string => todayIn(defaults.timezone, now);

/** Restock dates are calendar dates, stored as midnight UTC. */
export const calendarDate = (d: Date | null): string | null => (d ? d.toISOString().slice(0, 10) : null);
export const fromCalendarDate = (date: string): Date => new Date(`${date}T00:00:00Z`);
