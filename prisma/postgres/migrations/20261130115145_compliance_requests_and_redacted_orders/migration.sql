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
