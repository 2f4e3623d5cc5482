-- AlterTable
ALTER TABLE "WebhookInbox" ADD COLUMN     "bodyId" TEXT;

-- CreateTable
CREATE TABLE "WebhookBodyPart" (
    "bodyId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "shop" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookBodyPart_pkey" PRIMARY KEY ("bodyId","seq")
);

-- CreateIndex
CREATE INDEX "WebhookBodyPart_shop_idx" ON "WebhookBodyPart"("shop");

-- CreateIndex
CREATE INDEX "WebhookBodyPart_createdAt_idx" ON "WebhookBodyPart"("createdAt");

