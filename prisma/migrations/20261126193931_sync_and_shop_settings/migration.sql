-- CreateTable
CREATE TABLE "SyncTask" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "dueAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" DATETIME,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SyncedVariant" (
    "shop" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "inventoryPolicy" TEXT,
    "metafieldValue" TEXT,
    "syncedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "variantId")
);

-- CreateTable
CREATE TABLE "SyncedOrder" (
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "tagged" BOOLEAN NOT NULL DEFAULT false,
    "heldFulfillmentOrders" TEXT NOT NULL DEFAULT '[]',
    "syncedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "orderId")
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_VariantPolicy" (
    "shop" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "maxBackorder" INTEGER,
    "restockDate" DATETIME,
    "incomingQuantity" INTEGER,
    "leadTimeDays" INTEGER,
    "message" TEXT,
    "autoEnable" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "variantId")
);
INSERT INTO "new_VariantPolicy" ("enabled", "incomingQuantity", "leadTimeDays", "maxBackorder", "message", "restockDate", "shop", "updatedAt", "variantId") SELECT "enabled", "incomingQuantity", "leadTimeDays", "maxBackorder", "message", "restockDate", "shop", "updatedAt", "variantId" FROM "VariantPolicy";
DROP TABLE "VariantPolicy";
ALTER TABLE "new_VariantPolicy" RENAME TO "VariantPolicy";
CREATE TABLE "new_ShopSettings" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "messageTemplate" TEXT NOT NULL DEFAULT 'Available for backorder — ships ~{date}',
    "defaultLeadTimeDays" INTEGER NOT NULL DEFAULT 14,
    "processingDays" INTEGER NOT NULL DEFAULT 1,
    "autoEnableTag" TEXT,
    "autoEnableCollectionId" TEXT,
    "orderTag" TEXT NOT NULL DEFAULT 'backorder',
    "holdFulfillment" BOOLEAN NOT NULL DEFAULT true,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "locale" TEXT NOT NULL DEFAULT 'en',
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "catalogSyncedAt" DATETIME,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME
);
INSERT INTO "new_ShopSettings" ("autoEnableTag", "defaultLeadTimeDays", "installedAt", "messageTemplate", "processingDays", "shop", "uninstalledAt") SELECT "autoEnableTag", "defaultLeadTimeDays", "installedAt", "messageTemplate", "processingDays", "shop", "uninstalledAt" FROM "ShopSettings";
DROP TABLE "ShopSettings";
ALTER TABLE "new_ShopSettings" RENAME TO "ShopSettings";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "SyncTask_shop_status_dueAt_idx" ON "SyncTask"("shop", "status", "dueAt");

-- CreateIndex
CREATE UNIQUE INDEX "SyncTask_shop_kind_targetId_key" ON "SyncTask"("shop", "kind", "targetId");

