// Pushes what the engine decided about variants: Shopify's inventory policy and the
// storefront metafield. Only what differs from what Shopify was last told (SyncedVariant),
// batched: one productVariantsBulkUpdate per product, metafieldsSet 25 at a time. A batch
// Shopify refuses is retried one by one so one bad variant cannot hold the others back.
import { desiredInventoryPolicy, parseInventoryPolicy, type InventoryPolicy } from "../backorder/inventory-policy.ts";
import { STOREFRONT_METAFIELD, storefrontStatus } from "../backorder/storefront-status.ts";
import type { Db } from "../db/client.server.ts";
import { inChunks } from "../db/chunks.ts";
import { loadVariantsFacts } from "../engine/storefront-facts.server.ts";
import { AdminApiError } from "../shopify/admin-errors.ts";
import { gid, restId } from "../shopify/admin-ids.ts";
import { METAFIELDS_PER_CALL, type AdminGateway, type MetafieldWrite } from "../shopify/admin-operations.server.ts";

export interface VariantPlan {
  variantId: string;
  productId: string | null;
  policy: InventoryPolicy | null;
  metafieldValue: string | null;
  /** To record with this push (null: nothing new to record). */
  originalPolicy: InventoryPolicy | null;
}

/** What must be pushed for each variant (nothing: not in the result). */
export async function planVariants(db: Db, shop: string, variantIds: string[], now: Date): Promise<VariantPlan[]> {
  const [synced, catalog, factsOf] = await Promise.all([
    inChunks(variantIds, (ids) => db.syncedVariant.findMany({ where: { shop, variantId: { in: ids } } })),
    inChunks(variantIds, (ids) =>
      db.variant.findMany({
        where: { shop, variantId: { in: ids } },
        select: { variantId: true, productId: true, inventoryPolicy: true, productUpdatedAt: true },
      }),
    ),
    loadVariantsFacts(db, shop, variantIds, now),
  ]);
  const syncedOf = new Map(synced.map((s) => [s.variantId, s]));
  const catalogOf = new Map(catalog.map((v) => [v.variantId, v]));
  const plans: VariantPlan[] = [];
  for (const variantId of variantIds) {
    const facts = factsOf.get(variantId)!;
    const last = syncedOf.get(variantId);
    // Not managed by the app and nothing of ours in effect (never pushed, or undone): leave it alone.
    if (!facts.policy && !(last && (last.inventoryPolicy !== null || last.metafieldValue !== null))) continue;
    const known = catalogOf.get(variantId);
    const desired = desiredInventoryPolicy({ policy: facts.policy, waitingUnits: facts.waitingUnits });
    // Shopify says otherwise since our last push (a products/update newer than it): push again.
    const drifted =
      !!known && !!last && known.inventoryPolicy.toUpperCase() !== desired && known.productUpdatedAt.getTime() > last.syncedAt.getTime();
    const policy = desired && (last?.inventoryPolicy !== desired || drifted) ? desired : null;
    const value = JSON.stringify(storefrontStatus(facts));
    const metafieldValue = last?.metafieldValue !== value ? value : null;
    // The policy before the app's first change, for the undo: recorded with that change, from the
    // catalog as Shopify last described it (after an undo the record is kept, not read again).
    const originalPolicy = policy && !last?.inventoryPolicy && !last?.originalPolicy ? parseInventoryPolicy(known?.inventoryPolicy) : null;
    if (policy || metafieldValue) plans.push({ variantId, productId: known?.productId ?? null, policy, metafieldValue, originalPolicy });
  }
  return plans;
}

export interface PushVariantsOptions {
  /** The inventory policy alone (a stop-selling push): the storefront status waits for the variant's own task. */
  policyOnly?: boolean;
  /**
   * Awaited before each call to Shopify after the first: the runner pushes urgent work there
   * (a stop-selling DENY), so a push of many variants, a call per product, cannot hold it up.
   * Returns the variants whose policy it pushed: planned later than ours, theirs stands.
   */
  between?: () => Promise<string[]>;
}

/** Pushes the variants; returns the error of each variant that failed (absent: succeeded). */
export async function pushVariants(
  db: Db,
  gateway: AdminGateway,
  shop: string,
  variantIds: string[],
  now: Date,
  opts: PushVariantsOptions = {},
): Promise<Map<string, Error>> {
  const failed = new Map<string, Error>();
  const planned = await planVariants(db, shop, variantIds, now);
  const plans = opts.policyOnly ? planned.filter((p) => p.policy).map((p) => ({ ...p, metafieldValue: null })) : planned;
  if (plans.length === 0) return failed;
  const outage: Outage = { error: null };
  let calls = 0;
  const overtaken = new Set<string>();
  const beforeCall = async () => {
    if (calls++ > 0) for (const id of (await opts.between?.()) ?? []) overtaken.add(id);
  };
  const pushedPolicy = new Set<string>();
  const pushedMetafield = new Set<string>();

  // Inventory policy, per product.
  const policyPlans = plans.filter((p) => p.policy);
  const unknownProducts = policyPlans.filter((p) => !p.productId).map((p) => gid("ProductVariant", p.variantId));
  if (unknownProducts.length) {
    try {
      const found = await gateway.productsOfVariants(unknownProducts);
      for (const p of policyPlans) if (!p.productId) p.productId = restOrNull(found.get(gid("ProductVariant", p.variantId)));
    } catch (e) {
      for (const p of policyPlans) if (!p.productId) failed.set(p.variantId, asError(e));
    }
  }
  const byProduct = new Map<string, VariantPlan[]>();
  for (const p of policyPlans) {
    if (failed.has(p.variantId)) continue;
    if (!p.productId) {
      failed.set(p.variantId, new AdminApiError(`variant ${p.variantId} does not exist in Shopify`, true, "VariantProducts"));
      continue;
    }
    byProduct.set(p.productId, [...(byProduct.get(p.productId) ?? []), p]);
  }
  const inFlight = policyPushes.begin(shop, now.getTime(), overtaken);
  try {
    for (const [productId, planned] of byProduct) {
      await beforeCall();
      // Checked and marked with no await in between: a push planned later that sends first wins.
      const group = planned.filter((p) => !overtaken.has(p.variantId));
      if (group.length === 0) continue;
      policyPushes.sending(
        inFlight,
        group.map((p) => p.variantId),
      );
      await inBatches(group, failed, outage, async (batch) => {
        await gateway.setInventoryPolicies(
          gid("Product", productId),
          batch.map((p) => ({ id: gid("ProductVariant", p.variantId), inventoryPolicy: p.policy! })),
        );
        batch.forEach((p) => pushedPolicy.add(p.variantId));
      });
    }
  } finally {
    policyPushes.end(inFlight);
  }

  // Storefront metafield, 25 per call.
  const metaPlans = plans.filter((p) => p.metafieldValue);
  for (let i = 0; i < metaPlans.length; i += METAFIELDS_PER_CALL) {
    const chunk = metaPlans.slice(i, i + METAFIELDS_PER_CALL);
    await beforeCall();
    await inBatches(chunk, failed, outage, async (batch) => {
      await gateway.setMetafields(batch.map(metafieldWrite));
      batch.forEach((p) => pushedMetafield.add(p.variantId));
    });
  }

  // Remember what Shopify now knows, part by part (a variant may have half succeeded).
  for (const p of plans) {
    const policy = pushedPolicy.has(p.variantId) ? p.policy : undefined;
    const metafieldValue = pushedMetafield.has(p.variantId) ? p.metafieldValue : undefined;
    if (policy === undefined && metafieldValue === undefined) continue;
    await db.syncedVariant.upsert({
      where: { shop_variantId: { shop, variantId: p.variantId } },
      create: {
        shop,
        variantId: p.variantId,
        inventoryPolicy: policy ?? null,
        metafieldValue: metafieldValue ?? null,
        originalPolicy: policy ? p.originalPolicy : null,
        syncedAt: now,
      },
      update: {
        ...(policy !== undefined ? { inventoryPolicy: policy } : {}),
        ...(metafieldValue !== undefined ? { metafieldValue } : {}),
        ...(policy && p.originalPolicy ? { originalPolicy: p.originalPolicy } : {}),
        syncedAt: now,
      },
    });
  }
  return failed;
}

interface PolicyPush {
  shop: string;
  /** When its plan was made. */
  plannedAt: number;
  /** Variants a push planned at the same time or later has sent: this one's plan for them is stale. */
  overtaken: Set<string>;
}

/**
 * The pushes of inventory policies running in this process, per shop. The stop-selling lane
 * (worker-loops.server.ts) pushes DENY while the sync loop may be in the middle of a variant
 * push planned earlier: once a push planned later has sent a variant's policy, the older push
 * drops its plan for that variant (else its stale CONTINUE would land after the DENY). Not
 * covered: two calls for one variant in flight at once, and pushes in two processes
 * (decision 0038).
 */
const policyPushes = {
  shops: new Map<string, Set<PolicyPush>>(),
  begin(shop: string, plannedAt: number, overtaken: Set<string>): PolicyPush {
    const push = { shop, plannedAt, overtaken };
    const active = this.shops.get(shop) ?? new Set<PolicyPush>();
    active.add(push);
    this.shops.set(shop, active);
    return push;
  },
  /** This push is sending these variants' policies: plans made at the same time or earlier are stale. */
  sending(push: PolicyPush, variantIds: string[]) {
    for (const other of this.shops.get(push.shop) ?? [])
      if (other !== push && other.plannedAt <= push.plannedAt) for (const id of variantIds) other.overtaken.add(id);
  },
  end(push: PolicyPush) {
    const active = this.shops.get(push.shop);
    active?.delete(push);
    if (active?.size === 0) this.shops.delete(push.shop);
  },
};

function metafieldWrite(p: VariantPlan): MetafieldWrite {
  return {
    ownerId: gid("ProductVariant", p.variantId),
    namespace: STOREFRONT_METAFIELD.namespace,
    key: STOREFRONT_METAFIELD.key,
    type: STOREFRONT_METAFIELD.type,
    value: p.metafieldValue!,
  };
}

/**
 * Runs `push` on the whole batch; if Shopify refuses it permanently (userErrors, a bad
 * object), pushes each item alone to find the one at fault. A transient failure fails
 * the batch (retrying item by item would only hammer an unwell API).
 */
async function inBatches<T extends { variantId: string }>(
  items: T[],
  failed: Map<string, Error>,
  outage: Outage,
  push: (batch: T[]) => Promise<void>,
) {
  const fail = (item: T, e: unknown) => {
    if (!failed.has(item.variantId)) failed.set(item.variantId, asError(e)); // the first cause is the one to show
  };
  // Shopify is down (the gateway already retried): the rest of this run waits for the task's backoff.
  if (outage.error) return items.forEach((item) => fail(item, outage.error));
  try {
    await push(items);
  } catch (e) {
    if (items.length > 1 && e instanceof AdminApiError && e.permanent) {
      for (const item of items) {
        try {
          await push([item]);
        } catch (inner) {
          fail(item, inner);
        }
      }
    } else {
      if (!(e instanceof AdminApiError && e.permanent)) outage.error = asError(e);
      items.forEach((item) => fail(item, e));
    }
  }
}

interface Outage {
  error: Error | null;
}

const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));
const restOrNull = (g: string | null | undefined) => (g ? restId(g) : null);
