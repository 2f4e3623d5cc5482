-- CreateTable
CREATE TABLE "OrderHold" (
    "shop" TEXT NOT NULL,
    "fulfillmentOrderId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "holdId" TEXT,
    "placedAt" DATETIME NOT NULL,
    "releaseError" TEXT,

    PRIMARY KEY ("shop", "fulfillmentOrderId")
);

-- Carry over the fulfillment orders the app held (their hold ids were not kept: looked up by handle).
INSERT OR IGNORE INTO "OrderHold" ("shop", "fulfillmentOrderId", "orderId", "holdId", "placedAt")
SELECT s."shop", j."value", s."orderId", NULL, s."syncedAt" FROM "SyncedOrder" s, json_each(s."heldFulfillmentOrders") j;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ShopSettings" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "messageTemplate" TEXT NOT NULL DEFAULT 'Available for backorder — ships ~{date}',
    "defaultLeadTimeDays" INTEGER NOT NULL DEFAULT 14,
    "processingDays" INTEGER NOT NULL DEFAULT 1,
    "autoEnableTag" TEXT,
    "autoEnableCollectionId" TEXT,
    "orderTag" TEXT NOT NULL DEFAULT 'backorder',
    "holdMode" TEXT NOT NULL DEFAULT 'lines',
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "locale" TEXT NOT NULL DEFAULT 'en',
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "catalogSyncedAt" DATETIME,
    "datesRefreshedOn" TEXT,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME
);
-- Holds turned off stay off; holds on become holds on the backordered lines only.
INSERT INTO "new_ShopSettings" ("autoEnableCollectionId", "autoEnableTag", "catalogSyncedAt", "currency", "datesRefreshedOn", "defaultLeadTimeDays", "holdMode", "installedAt", "locale", "messageTemplate", "orderTag", "processingDays", "shop", "timezone", "uninstalledAt") SELECT "autoEnableCollectionId", "autoEnableTag", "catalogSyncedAt", "currency", "datesRefreshedOn", "defaultLeadTimeDays", CASE WHEN "holdFulfillment" THEN 'lines' ELSE 'off' END, "installedAt", "locale", "messageTemplate", "orderTag", "processingDays", "shop", "timezone", "uninstalledAt" FROM "ShopSettings";
DROP TABLE "ShopSettings";
ALTER TABLE "new_ShopSettings" RENAME TO "ShopSettings";
CREATE TABLE "new_SyncedOrder" (
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "tagged" BOOLEAN NOT NULL DEFAULT false,
    "tag" TEXT,
    "syncedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "orderId")
);
INSERT INTO "new_SyncedOrder" ("orderId", "shop", "syncedAt", "tag", "tagged") SELECT "orderId", "shop", "syncedAt", "tag", "tagged" FROM "SyncedOrder";
DROP TABLE "SyncedOrder";
ALTER TABLE "new_SyncedOrder" RENAME TO "SyncedOrder";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "OrderHold_shop_orderId_idx" ON "OrderHold"("shop", "orderId");

