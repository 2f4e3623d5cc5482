// What Shopify's inventory policy should be for a variant, and when the merchant's
// auto-enable rule switches backorders on. Pure: the sync and the worker hook feed it.

/** Shopify's ProductVariantInventoryPolicy: keep selling at zero stock, or stop. */
export const INVENTORY_POLICY = { continue: "CONTINUE", deny: "DENY" } as const;
export type InventoryPolicy = (typeof INVENTORY_POLICY)[keyof typeof INVENTORY_POLICY];

export interface PolicyInputs {
  /** The merchant's setting; null: the app does not manage this variant. */
  policy: { enabled: boolean; maxBackorder: number | null } | null;
  /** Units already waiting (sold beyond stock) across locations. */
  waitingUnits: number;
}

/**
 * CONTINUE (Shopify keeps selling at zero stock) while backorders are on and the queue
 * is under the limit; DENY once the limit is reached or backorders are off. Unmanaged
 * variants (no policy) are left alone: null.
 */
export function desiredInventoryPolicy({ policy, waitingUnits }: PolicyInputs): InventoryPolicy | null {
  if (!policy) return null;
  if (!policy.enabled) return INVENTORY_POLICY.deny;
  if (policy.maxBackorder != null && Math.max(0, waitingUnits) >= policy.maxBackorder) return INVENTORY_POLICY.deny;
  return INVENTORY_POLICY.continue;
}

export interface StopSellingInputs extends PolicyInputs {
  /**
   * The policy Shopify holds as far as the app knows: what the app last pushed, else what the
   * catalog last said; null when neither is known.
   */
  shopifyPolicy: InventoryPolicy | null;
}

/**
 * The variant must be switched to DENY now, ahead of every other push: the app wants it to
 * stop selling (its limit is reached, or backorders are off) and Shopify may still be
 * selling it. Every unit Shopify sells meanwhile is a backorder past the merchant's limit;
 * a variant Shopify already denies needs nothing urgent (its regular push keeps it in step).
 */
export function mustStopSelling(i: StopSellingInputs): boolean {
  return desiredInventoryPolicy(i) === INVENTORY_POLICY.deny && i.shopifyPolicy !== INVENTORY_POLICY.deny;
}

export interface AutoEnableInputs {
  /** Backorders already on: nothing to do. */
  enabled: boolean;
  /** The variant is on the merchant's auto-enable list. */
  listed: boolean;
  /** Product tags as Shopify sends them ("a, b, c"). */
  productTags: string;
  /** ShopSettings.autoEnableTag (null/"" = no tag rule). */
  autoEnableTag: string | null;
  /** The product is in ShopSettings.autoEnableCollectionId (as last listed by Shopify). */
  inCollection: boolean;
  /** Stock across locations (<= 0: sold out). */
  available: number;
}

export const splitTags = (tags: string) =>
  tags
    .split(",")
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);

/** The variant is on the rule (listed, its product carries the tag, or is in the collection). */
export function onAutoEnableRule(i: Pick<AutoEnableInputs, "listed" | "productTags" | "autoEnableTag" | "inCollection">): boolean {
  const tag = i.autoEnableTag?.trim().toLowerCase();
  return i.listed || i.inCollection || (!!tag && splitTags(i.productTags).includes(tag));
}

/** Turn backorders on: the variant is on the rule, not yet enabled, and has sold out. */
export function shouldAutoEnable(i: AutoEnableInputs): boolean {
  return !i.enabled && i.available <= 0 && onAutoEnableRule(i);
}

/** "continue"/"CONTINUE" (REST webhooks, GraphQL) as the policy; anything else: not known. */
export function parseInventoryPolicy(value: string | null | undefined): InventoryPolicy | null {
  const v = value?.trim().toUpperCase();
  return v === INVENTORY_POLICY.continue || v === INVENTORY_POLICY.deny ? v : null;
}

/**
 * The policy a variant goes back to when the merchant undoes the app's changes: the one it
 * had before the app first changed it; when that was not recorded, DENY (Shopify's default
 * for a new variant: stop selling at zero stock), which the settings page says.
 */
export function policyToRestore(original: string | null | undefined): InventoryPolicy {
  return parseInventoryPolicy(original) ?? INVENTORY_POLICY.deny;
}
