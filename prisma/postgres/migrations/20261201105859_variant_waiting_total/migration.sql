-- CreateTable
CREATE TABLE "VariantWaitingTotal" (
    "shop" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "waitingUnits" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "VariantWaitingTotal_pkey" PRIMARY KEY ("shop","variantId")
);


-- The totals of the lines already stored.
INSERT INTO "VariantWaitingTotal" ("shop", "variantId", "waitingUnits")
SELECT "shop", "variantId", SUM("waitingQuantity")::int FROM "BackorderLine"
WHERE "state" = 'waiting' GROUP BY "shop", "variantId";

-- Kept by every write of BackorderLine, whoever makes it (docs/decisions/0030-waiting-total.md):
-- a line counts its waitingQuantity towards (shop, variantId) while its state is 'waiting'.
-- Per statement, from its transition tables: one upsert per variant the statement changed.
CREATE FUNCTION "backorder_line_waiting_total"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM "VariantWaitingTotal";
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO "VariantWaitingTotal" AS t ("shop", "variantId", "waitingUnits")
    SELECT "shop", "variantId", SUM("waitingQuantity")::int FROM new_rows
    WHERE "state" = 'waiting' GROUP BY "shop", "variantId" HAVING SUM("waitingQuantity") <> 0
    ON CONFLICT ("shop", "variantId") DO UPDATE SET "waitingUnits" = t."waitingUnits" + EXCLUDED."waitingUnits";
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "VariantWaitingTotal" AS t ("shop", "variantId", "waitingUnits")
    SELECT "shop", "variantId", -SUM("waitingQuantity")::int FROM old_rows
    WHERE "state" = 'waiting' GROUP BY "shop", "variantId" HAVING SUM("waitingQuantity") <> 0
    ON CONFLICT ("shop", "variantId") DO UPDATE SET "waitingUnits" = t."waitingUnits" + EXCLUDED."waitingUnits";
  ELSE
    INSERT INTO "VariantWaitingTotal" AS t ("shop", "variantId", "waitingUnits")
    SELECT "shop", "variantId", SUM(d)::int FROM (
      SELECT "shop", "variantId", "waitingQuantity" AS d FROM new_rows WHERE "state" = 'waiting'
      UNION ALL
      SELECT "shop", "variantId", -"waitingQuantity" AS d FROM old_rows WHERE "state" = 'waiting'
    ) AS c GROUP BY "shop", "variantId" HAVING SUM(d) <> 0
    ON CONFLICT ("shop", "variantId") DO UPDATE SET "waitingUnits" = t."waitingUnits" + EXCLUDED."waitingUnits";
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "BackorderLine_waiting_total_insert" AFTER INSERT ON "BackorderLine"
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "backorder_line_waiting_total"();

CREATE TRIGGER "BackorderLine_waiting_total_update" AFTER UPDATE ON "BackorderLine"
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "backorder_line_waiting_total"();

CREATE TRIGGER "BackorderLine_waiting_total_delete" AFTER DELETE ON "BackorderLine"
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "backorder_line_waiting_total"();

CREATE TRIGGER "BackorderLine_waiting_total_truncate" AFTER TRUNCATE ON "BackorderLine"
FOR EACH STATEMENT EXECUTE FUNCTION "backorder_line_waiting_total"();
