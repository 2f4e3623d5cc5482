-- CreateTable
CREATE TABLE "EmailSettings" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "transport" TEXT NOT NULL DEFAULT 'relay',
    "smtpHost" TEXT,
    "smtpPort" INTEGER,
    "smtpSecure" BOOLEAN NOT NULL DEFAULT false,
    "smtpUser" TEXT,
    "smtpPasswordSealed" TEXT,
    "fromAddress" TEXT,
    "senderName" TEXT,
    "changeThresholdDays" INTEGER NOT NULL DEFAULT 2,
    "delayLimitDays" INTEGER NOT NULL DEFAULT 30,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "EmailTemplate" (
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "kind", "locale")
);

-- CreateTable
CREATE TABLE "OrderLocale" (
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "locale" TEXT NOT NULL,

    PRIMARY KEY ("shop", "orderId")
);

-- CreateTable
CREATE TABLE "EmailOutbox" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "lineItemId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "promisedDate" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "dueAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" DATETIME,
    "lastError" TEXT,
    "recipient" TEXT,
    "locale" TEXT,
    "subject" TEXT,
    "body" TEXT,
    "sentAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "EmailOutbox_status_dueAt_idx" ON "EmailOutbox"("status", "dueAt");

-- CreateIndex
CREATE INDEX "EmailOutbox_shop_orderId_kind_idx" ON "EmailOutbox"("shop", "orderId", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "EmailOutbox_shop_lineItemId_kind_promisedDate_key" ON "EmailOutbox"("shop", "lineItemId", "kind", "promisedDate");

