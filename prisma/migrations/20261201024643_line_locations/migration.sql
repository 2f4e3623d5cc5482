-- AlterTable
ALTER TABLE "BackorderLine" ADD COLUMN "assignedLocationId" TEXT;

-- CreateTable
CREATE TABLE "LineLocation" (
    "shop" TEXT NOT NULL,
    "lineItemId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "locationId" TEXT NOT NULL,
    "fulfillmentOrderId" TEXT NOT NULL,
    "sourceAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "lineItemId")
);

-- CreateIndex
CREATE INDEX "LineLocation_shop_orderId_idx" ON "LineLocation"("shop", "orderId");

-- CreateIndex
CREATE INDEX "BackorderLine_shop_variantId_assignedLocationId_idx" ON "BackorderLine"("shop", "variantId", "assignedLocationId");

