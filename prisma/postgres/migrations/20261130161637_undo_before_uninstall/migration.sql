-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN     "pausedAt" TIMESTAMP(3),
ADD COLUMN     "undoneAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "SyncedVariant" ADD COLUMN     "originalPolicy" TEXT;

