-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN     "scopesUpdatedAt" TIMESTAMP(3);

