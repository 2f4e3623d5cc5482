-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" DATETIME,
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" DATETIME
);

-- CreateTable
CREATE TABLE "WebhookInbox" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "eventId" TEXT,
    "apiVersion" TEXT,
    "triggeredAt" DATETIME,
    "payload" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" DATETIME,
    "lockedBy" TEXT,
    "lastError" TEXT,
    "processedAt" DATETIME
);

-- CreateTable
CREATE TABLE "OrderSnapshot" (
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "cancelledAt" DATETIME,
    "refundIds" TEXT NOT NULL DEFAULT '[]',
    "fulfillmentIds" TEXT NOT NULL DEFAULT '[]',
    "customerId" TEXT,
    "currency" TEXT NOT NULL DEFAULT 'USD',

    PRIMARY KEY ("shop", "orderId")
);

-- CreateTable
CREATE TABLE "OrderAdjustment" (
    "shop" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "lineItemId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "occurredAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "key", "lineItemId")
);

-- CreateTable
CREATE TABLE "BackorderLine" (
    "shop" TEXT NOT NULL,
    "lineItemId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "orderName" TEXT NOT NULL,
    "orderedAt" DATETIME NOT NULL,
    "variantId" TEXT NOT NULL,
    "productId" TEXT,
    "title" TEXT NOT NULL,
    "sku" TEXT,
    "snapshotQuantity" INTEGER NOT NULL,
    "snapshotOpenQuantity" INTEGER NOT NULL,
    "quantity" INTEGER NOT NULL,
    "openQuantity" INTEGER NOT NULL,
    "waitingQuantity" INTEGER NOT NULL DEFAULT 0,
    "locationId" TEXT,
    "state" TEXT NOT NULL,
    "unitPrice" TEXT NOT NULL DEFAULT '0',
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "customerId" TEXT,
    "customerName" TEXT,
    "customerEmail" TEXT,
    "cancelledAt" DATETIME,
    "backorderedAt" DATETIME,
    "allocatedAt" DATETIME,
    "fulfilledAt" DATETIME,
    "notifiedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "lineItemId")
);

-- CreateTable
CREATE TABLE "LineEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "lineItemId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "fromState" TEXT,
    "toState" TEXT NOT NULL,
    "waiting" INTEGER NOT NULL,
    "reason" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "Variant" (
    "shop" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "inventoryItemId" TEXT,
    "productTitle" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "sku" TEXT,
    "price" TEXT NOT NULL DEFAULT '0',
    "inventoryPolicy" TEXT NOT NULL DEFAULT 'deny',
    "productTags" TEXT NOT NULL DEFAULT '',
    "productUpdatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "variantId")
);

-- CreateTable
CREATE TABLE "InventoryLevel" (
    "shop" TEXT NOT NULL,
    "inventoryItemId" TEXT NOT NULL,
    "locationId" TEXT NOT NULL,
    "available" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "inventoryItemId", "locationId")
);

-- CreateTable
CREATE TABLE "VariantPolicy" (
    "shop" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "maxBackorder" INTEGER,
    "restockDate" DATETIME,
    "incomingQuantity" INTEGER,
    "leadTimeDays" INTEGER,
    "message" TEXT,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "variantId")
);

-- CreateTable
CREATE TABLE "ShopSettings" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "messageTemplate" TEXT NOT NULL DEFAULT 'Available for backorder — ships ~{date}',
    "defaultLeadTimeDays" INTEGER NOT NULL DEFAULT 14,
    "processingDays" INTEGER NOT NULL DEFAULT 1,
    "autoEnableTag" TEXT,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME
);

-- CreateTable
CREATE TABLE "ComplianceRequest" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "customerId" TEXT,
    "email" TEXT,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dataJson" TEXT NOT NULL DEFAULT '[]'
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE INDEX "WebhookInbox_status_nextAttemptAt_idx" ON "WebhookInbox"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "WebhookInbox_shop_status_id_idx" ON "WebhookInbox"("shop", "status", "id");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookInbox_shop_webhookId_key" ON "WebhookInbox"("shop", "webhookId");

-- CreateIndex
CREATE INDEX "OrderAdjustment_shop_orderId_idx" ON "OrderAdjustment"("shop", "orderId");

-- CreateIndex
CREATE INDEX "BackorderLine_shop_variantId_state_idx" ON "BackorderLine"("shop", "variantId", "state");

-- CreateIndex
CREATE INDEX "BackorderLine_shop_orderId_idx" ON "BackorderLine"("shop", "orderId");

-- CreateIndex
CREATE INDEX "BackorderLine_shop_state_orderedAt_idx" ON "BackorderLine"("shop", "state", "orderedAt");

-- CreateIndex
CREATE INDEX "BackorderLine_shop_customerId_idx" ON "BackorderLine"("shop", "customerId");

-- CreateIndex
CREATE INDEX "LineEvent_shop_lineItemId_idx" ON "LineEvent"("shop", "lineItemId");

-- CreateIndex
CREATE INDEX "LineEvent_shop_at_idx" ON "LineEvent"("shop", "at");

-- CreateIndex
CREATE INDEX "Variant_shop_inventoryItemId_idx" ON "Variant"("shop", "inventoryItemId");

-- CreateIndex
CREATE INDEX "ComplianceRequest_shop_idx" ON "ComplianceRequest"("shop");

