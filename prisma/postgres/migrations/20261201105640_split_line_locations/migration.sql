-- AlterTable
ALTER TABLE "BackorderLine" ADD COLUMN     "locationParts" TEXT,
ADD COLUMN     "waitingParts" TEXT;

-- AlterTable
ALTER TABLE "LineLocation" DROP CONSTRAINT "LineLocation_pkey",
ADD COLUMN     "quantity" INTEGER NOT NULL DEFAULT 0,
ADD CONSTRAINT "LineLocation_pkey" PRIMARY KEY ("shop", "lineItemId", "fulfillmentOrderId");


-- Each stored fact was the line's one known part: it held the line's open units.
UPDATE "LineLocation" SET "quantity" = COALESCE((SELECT "openQuantity" FROM "BackorderLine" b
  WHERE b."shop" = "LineLocation"."shop" AND b."lineItemId" = "LineLocation"."lineItemId"), 0);
