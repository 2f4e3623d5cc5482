-- CreateTable
CREATE TABLE "VariantWaitingTotal" (
    "shop" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "waitingUnits" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("shop", "variantId")
);


-- The totals of the lines already stored.
INSERT INTO "VariantWaitingTotal" ("shop", "variantId", "waitingUnits")
SELECT "shop", "variantId", SUM("waitingQuantity") FROM "BackorderLine"
WHERE "state" = 'waiting' GROUP BY "shop", "variantId";

-- Kept by every write of BackorderLine, whoever makes it (docs/decisions/0030-waiting-total.md):
-- a line counts its waitingQuantity towards (shop, variantId) while its state is 'waiting'.
CREATE TRIGGER "BackorderLine_waiting_total_insert" AFTER INSERT ON "BackorderLine"
WHEN NEW."state" = 'waiting' AND NEW."waitingQuantity" <> 0
BEGIN
  INSERT INTO "VariantWaitingTotal" ("shop", "variantId", "waitingUnits")
  VALUES (NEW."shop", NEW."variantId", NEW."waitingQuantity")
  ON CONFLICT ("shop", "variantId") DO UPDATE SET "waitingUnits" = "waitingUnits" + excluded."waitingUnits";
END;

CREATE TRIGGER "BackorderLine_waiting_total_delete" AFTER DELETE ON "BackorderLine"
WHEN OLD."state" = 'waiting' AND OLD."waitingQuantity" <> 0
BEGIN
  INSERT INTO "VariantWaitingTotal" ("shop", "variantId", "waitingUnits")
  VALUES (OLD."shop", OLD."variantId", -OLD."waitingQuantity")
  ON CONFLICT ("shop", "variantId") DO UPDATE SET "waitingUnits" = "waitingUnits" + excluded."waitingUnits";
END;

CREATE TRIGGER "BackorderLine_waiting_total_update" AFTER UPDATE OF "shop", "variantId", "state", "waitingQuantity" ON "BackorderLine"
WHEN (OLD."state" = 'waiting' OR NEW."state" = 'waiting')
  AND (OLD."shop" IS NOT NEW."shop" OR OLD."variantId" IS NOT NEW."variantId" OR OLD."state" IS NOT NEW."state"
       OR OLD."waitingQuantity" IS NOT NEW."waitingQuantity")
BEGIN
  INSERT INTO "VariantWaitingTotal" ("shop", "variantId", "waitingUnits")
  SELECT OLD."shop", OLD."variantId", -OLD."waitingQuantity" WHERE OLD."state" = 'waiting' AND OLD."waitingQuantity" <> 0
  ON CONFLICT ("shop", "variantId") DO UPDATE SET "waitingUnits" = "waitingUnits" + excluded."waitingUnits";
  INSERT INTO "VariantWaitingTotal" ("shop", "variantId", "waitingUnits")
  SELECT NEW."shop", NEW."variantId", NEW."waitingQuantity" WHERE NEW."state" = 'waiting' AND NEW."waitingQuantity" <> 0
  ON CONFLICT ("shop", "variantId") DO UPDATE SET "waitingUnits" = "waitingUnits" + excluded."waitingUnits";
END;
