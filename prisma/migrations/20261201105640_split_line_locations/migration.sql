-- AlterTable
ALTER TABLE "BackorderLine" ADD COLUMN "locationParts" TEXT;
ALTER TABLE "BackorderLine" ADD COLUMN "waitingParts" TEXT;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_LineLocation" (
    "shop" TEXT NOT NULL,
    "lineItemId" TEXT NOT NULL,
    "fulfillmentOrderId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "locationId" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL DEFAULT 0,
    "sourceAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "lineItemId", "fulfillmentOrderId")
);
INSERT INTO "new_LineLocation" ("fulfillmentOrderId", "lineItemId", "locationId", "orderId", "shop", "sourceAt") SELECT "fulfillmentOrderId", "lineItemId", "locationId", "orderId", "shop", "sourceAt" FROM "LineLocation";
DROP TABLE "LineLocation";
ALTER TABLE "new_LineLocation" RENAME TO "LineLocation";
CREATE INDEX "LineLocation_shop_orderId_idx" ON "LineLocation"("shop", "orderId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


-- Each stored fact was the line's one known part: it held the line's open units.
UPDATE "LineLocation" SET "quantity" = COALESCE((SELECT "openQuantity" FROM "BackorderLine" b
  WHERE b."shop" = "LineLocation"."shop" AND b."lineItemId" = "LineLocation"."lineItemId"), 0);
