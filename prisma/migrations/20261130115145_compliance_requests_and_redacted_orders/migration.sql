-- CreateTable
CREATE TABLE "RedactedOrder" (
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "redactedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "orderId")
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ComplianceRequest" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "customerId" TEXT,
    "email" TEXT,
    "orderIds" TEXT NOT NULL DEFAULT '[]',
    "requestId" TEXT,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME,
    "redactedAt" DATETIME
);
INSERT INTO "new_ComplianceRequest" ("customerId", "email", "id", "receivedAt", "shop", "topic") SELECT "customerId", "email", "id", "receivedAt", "shop", "topic" FROM "ComplianceRequest";
DROP TABLE "ComplianceRequest";
ALTER TABLE "new_ComplianceRequest" RENAME TO "ComplianceRequest";
CREATE INDEX "ComplianceRequest_shop_topic_receivedAt_idx" ON "ComplianceRequest"("shop", "topic", "receivedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


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
