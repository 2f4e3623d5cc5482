-- AlterTable
ALTER TABLE "BackorderLine" ADD COLUMN "promisedShipDate" TEXT;

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
    "uninstalledAt" DATETIME,
    "scopesUpdatedAt" DATETIME,
    "flowTriggers" BOOLEAN NOT NULL DEFAULT true
);
INSERT INTO "new_ShopSettings" ("autoEnableCollectionId", "autoEnableTag", "catalogSyncedAt", "currency", "datesRefreshedOn", "defaultLeadTimeDays", "holdMode", "installedAt", "locale", "messageTemplate", "orderTag", "processingDays", "scopesUpdatedAt", "shop", "timezone", "uninstalledAt") SELECT "autoEnableCollectionId", "autoEnableTag", "catalogSyncedAt", "currency", "datesRefreshedOn", "defaultLeadTimeDays", "holdMode", "installedAt", "locale", "messageTemplate", "orderTag", "processingDays", "scopesUpdatedAt", "shop", "timezone", "uninstalledAt" FROM "ShopSettings";
DROP TABLE "ShopSettings";
ALTER TABLE "new_ShopSettings" RENAME TO "ShopSettings";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

