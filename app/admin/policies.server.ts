// The merchant's settings written to many variants at once (a bulk edit, a restock date set
// from the queue): a few statements per chunk instead of an upsert per variant, so a bulk
// action over a large catalog stays well inside its transaction.
import type { Prisma, Tx } from "../db/client.server.ts";

const CHUNK = 500;

export type PolicyPatch = Omit<Prisma.VariantPolicyCreateManyInput, "shop" | "variantId" | "updatedAt">;

/** Sets `patch` on each variant's policy, creating the policies that do not exist yet. */
export async function applyPolicyPatch(tx: Tx, shop: string, variantIds: string[], patch: PolicyPatch): Promise<void> {
  for (let i = 0; i < variantIds.length; i += CHUNK) {
    const chunk = variantIds.slice(i, i + CHUNK);
    const existing = new Set(
      (await tx.variantPolicy.findMany({ where: { shop, variantId: { in: chunk } }, select: { variantId: true } })).map((p) => p.variantId),
    );
    if (existing.size) await tx.variantPolicy.updateMany({ where: { shop, variantId: { in: [...existing] } }, data: patch });
    const missing = chunk.filter((id) => !existing.has(id));
    if (missing.length) await tx.variantPolicy.createMany({ data: missing.map((variantId) => ({ ...patch, shop, variantId })) });
  }
}
