-- CreateTable
CREATE TABLE "OrderHold" (
    "shop" TEXT NOT NULL,
    "fulfillmentOrderId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "holdId" TEXT,
    "placedAt" TIMESTAMP(3) NOT NULL,
    "releaseError" TEXT,

    CONSTRAINT "OrderHold_pkey" PRIMARY KEY ("shop","fulfillmentOrderId")
);

-- CreateIndex
CREATE INDEX "OrderHold_shop_orderId_idx" ON "OrderHold"("shop", "orderId");

-- Carry over the fulfillment orders the app held (their hold ids were not kept: looked up by handle).
INSERT INTO "OrderHold" ("shop", "fulfillmentOrderId", "orderId", "holdId", "placedAt")
SELECT s."shop", j.value, s."orderId", NULL, s."syncedAt" FROM "SyncedOrder" s, jsonb_array_elements_text(s."heldFulfillmentOrders"::jsonb) AS j(value)
ON CONFLICT DO NOTHING;

-- AlterTable: holds turned off stay off; holds on become holds on the backordered lines only.
ALTER TABLE "ShopSettings" ADD COLUMN     "holdMode" TEXT NOT NULL DEFAULT 'lines';
UPDATE "ShopSettings" SET "holdMode" = 'off' WHERE NOT "holdFulfillment";
ALTER TABLE "ShopSettings" DROP COLUMN "holdFulfillment";

-- AlterTable
ALTER TABLE "SyncedOrder" DROP COLUMN "heldFulfillmentOrders";
