// Validation of the shop-wide defaults form. Pure and unit-tested.
import { isHoldMode, type HoldMode } from "../backorder/hold-plan.ts";

export const TEMPLATE_MAX = 200;
export const ORDER_TAG_MAX = 40;

export interface ShopSettingsValues {
  messageTemplate: string;
  defaultLeadTimeDays: number;
  processingDays: number;
  autoEnableTag: string | null;
  autoEnableCollectionId: string | null;
  orderTag: string;
  /** Fulfillment holds while lines wait: the backordered units only, the whole order, or none. */
  holdMode: HoldMode;
  /** Shopify Flow triggers (extensions/flow-*) are sent. */
  flowTriggers: boolean;
}

export type ShopSettingsField = keyof ShopSettingsValues;

export type ShopSettingsResult =
  { ok: true; values: ShopSettingsValues } | { ok: false; errors: Partial<Record<ShopSettingsField, string>> };

export type ShopSettingsInput = Partial<Record<ShopSettingsField, string | null>>;

const COLLECTION_GID = /^gid:\/\/shopify\/Collection\/\d+$/;

function days(raw: string, label: string, max: number): number | string {
  if (!/^-?\d+$/.test(raw)) return `${label} must be a whole number of days.`;
  const n = Number(raw);
  if (n < 0) return `${label} cannot be negative.`;
  if (n > max) return `${label} cannot be more than ${max} days.`;
  return n;
}

export function validateShopSettings(input: ShopSettingsInput): ShopSettingsResult {
  const errors: Partial<Record<ShopSettingsField, string>> = {};
  const text = (k: ShopSettingsField) => (input[k] ?? "").trim();

  const messageTemplate = text("messageTemplate");
  if (!messageTemplate) errors.messageTemplate = "Message template is required.";
  else if (!messageTemplate.includes("{date}")) errors.messageTemplate = "Message template must contain {date}, where the ship date goes.";
  else if (messageTemplate.length > TEMPLATE_MAX)
    errors.messageTemplate = `Message template is ${messageTemplate.length} characters; keep it to ${TEMPLATE_MAX}.`;
  else if (/[<>]/.test(messageTemplate)) errors.messageTemplate = "Message template cannot contain < or >.";

  const lead = days(text("defaultLeadTimeDays"), "Default lead time", 365);
  if (typeof lead === "string") errors.defaultLeadTimeDays = lead;
  const processing = days(text("processingDays"), "Processing time", 30);
  if (typeof processing === "string") errors.processingDays = processing;

  const autoEnableTag = text("autoEnableTag");
  if (autoEnableTag.length > 255) errors.autoEnableTag = "Tag cannot be longer than 255 characters.";
  else if (autoEnableTag.includes(",")) errors.autoEnableTag = "Enter one tag (no commas).";

  let collection = text("autoEnableCollectionId");
  if (/^\d+$/.test(collection)) collection = `gid://shopify/Collection/${collection}`;
  if (collection && !COLLECTION_GID.test(collection)) {
    errors.autoEnableCollectionId = "Collection must be a collection ID (digits) or gid://shopify/Collection/…";
  }

  const orderTag = text("orderTag");
  if (orderTag.length > ORDER_TAG_MAX) errors.orderTag = `Order tag cannot be longer than ${ORDER_TAG_MAX} characters.`;
  else if (orderTag.includes(",")) errors.orderTag = "Enter one tag (no commas).";

  const holdMode = text("holdMode");
  if (!isHoldMode(holdMode)) errors.holdMode = "Choose how orders with backordered items are held.";

  // "on" | "off" from the form's choice; a form without it (an older client) keeps the default, on.
  const flow = text("flowTriggers") || "on";
  if (flow !== "on" && flow !== "off") errors.flowTriggers = "Choose whether Shopify Flow triggers are sent.";

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    values: {
      messageTemplate,
      defaultLeadTimeDays: lead as number,
      processingDays: processing as number,
      autoEnableTag: autoEnableTag || null,
      autoEnableCollectionId: collection || null,
      orderTag,
      holdMode: holdMode as HoldMode,
      flowTriggers: flow === "on",
    },
  };
}
