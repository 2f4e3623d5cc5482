-- DropIndex
DROP INDEX "BackorderLine_shop_variantId_state_idx";

-- CreateIndex
CREATE INDEX "BackorderLine_shop_variantId_state_orderedAt_idx" ON "BackorderLine"("shop", "variantId", "state", "orderedAt");

