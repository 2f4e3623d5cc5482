-- DropIndex
DROP INDEX "ComplianceRequest_shop_idx";

-- AlterTable
ALTER TABLE "ComplianceRequest" DROP COLUMN "dataJson",
ADD COLUMN     "orderIds" TEXT NOT NULL DEFAULT '[]',
ADD COLUMN     "redactedAt" TIMESTAMP(3),
ADD COLUMN     "requestId" TEXT,
ADD COLUMN     "sentAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "RedactedOrder" (
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "redactedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RedactedOrder_pkey" PRIMARY KEY ("shop","orderId")
);

-- CreateIndex
CREATE INDEX "ComplianceRequest_shop_topic_receivedAt_idx" ON "ComplianceRequest"("shop", "topic", "receivedAt");


-- A customers/redact record keeps no customer id (it used to).
UPDATE "ComplianceRequest" SET "customerId" = NULL, "email" = NULL WHERE "topic" = 'customers/redact';

-- Orders redacted before RedactedOrder existed: in a shop that had a customers/redact, an
-- order with no customer left on its snapshot or any of its lines.
INSERT INTO "RedactedOrder" ("shop", "orderId", "redactedAt")
SELECT s."shop", s."orderId", CURRENT_TIMESTAMP FROM "OrderSnapshot" s
WHERE s."customerId" IS NULL
  AND NOT EXISTS (SELECT 1 FROM "RedactedOrder" r WHERE r."shop" = s."shop" AND r."orderId" = s."orderId")
  AND EXISTS (SELECT 1 FROM "ComplianceRequest" c WHERE c."shop" = s."shop" AND c."topic" = 'customers/redact')
  AND NOT EXISTS (
    SELECT 1 FROM "BackorderLine" l
    WHERE l."shop" = s."shop" AND l."orderId" = s."orderId"
      AND (l."customerId" IS NOT NULL OR l."customerName" IS NOT NULL OR l."customerEmail" IS NOT NULL)
  );
