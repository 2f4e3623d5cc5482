-- AlterTable
ALTER TABLE "VariantPolicy" ADD COLUMN     "autoEnable" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN     "autoEnableCollectionId" TEXT,
ADD COLUMN     "catalogSyncedAt" TIMESTAMP(3),
ADD COLUMN     "currency" TEXT NOT NULL DEFAULT 'USD',
ADD COLUMN     "holdFulfillment" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "locale" TEXT NOT NULL DEFAULT 'en',
ADD COLUMN     "orderTag" TEXT NOT NULL DEFAULT 'backorder',
ADD COLUMN     "timezone" TEXT NOT NULL DEFAULT 'UTC';

-- CreateTable
CREATE TABLE "SyncTask" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "dueAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SyncTask_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SyncedVariant" (
    "shop" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "inventoryPolicy" TEXT,
    "metafieldValue" TEXT,
    "syncedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SyncedVariant_pkey" PRIMARY KEY ("shop","variantId")
);

-- CreateTable
CREATE TABLE "SyncedOrder" (
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "tagged" BOOLEAN NOT NULL DEFAULT false,
    "heldFulfillmentOrders" TEXT NOT NULL DEFAULT '[]',
    "syncedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SyncedOrder_pkey" PRIMARY KEY ("shop","orderId")
);

-- CreateIndex
CREATE INDEX "SyncTask_shop_status_dueAt_idx" ON "SyncTask"("shop", "status", "dueAt");

-- CreateIndex
CREATE UNIQUE INDEX "SyncTask_shop_kind_targetId_key" ON "SyncTask"("shop", "kind", "targetId");

