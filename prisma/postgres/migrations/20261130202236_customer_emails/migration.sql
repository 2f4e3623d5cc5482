-- CreateTable
CREATE TABLE "EmailSettings" (
    "shop" TEXT NOT NULL,
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
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EmailSettings_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "EmailTemplate" (
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EmailTemplate_pkey" PRIMARY KEY ("shop","kind","locale")
);

-- CreateTable
CREATE TABLE "OrderLocale" (
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "locale" TEXT NOT NULL,

    CONSTRAINT "OrderLocale_pkey" PRIMARY KEY ("shop","orderId")
);

-- CreateTable
CREATE TABLE "EmailOutbox" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "lineItemId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "promisedDate" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "dueAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "recipient" TEXT,
    "locale" TEXT,
    "subject" TEXT,
    "body" TEXT,
    "sentAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EmailOutbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "EmailOutbox_status_dueAt_idx" ON "EmailOutbox"("status", "dueAt");

-- CreateIndex
CREATE INDEX "EmailOutbox_shop_orderId_kind_idx" ON "EmailOutbox"("shop", "orderId", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "EmailOutbox_shop_lineItemId_kind_promisedDate_key" ON "EmailOutbox"("shop", "lineItemId", "kind", "promisedDate");

