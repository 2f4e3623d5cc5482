-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN "pausedAt" DATETIME;
ALTER TABLE "ShopSettings" ADD COLUMN "undoneAt" DATETIME;

-- AlterTable
ALTER TABLE "SyncedVariant" ADD COLUMN "originalPolicy" TEXT;

