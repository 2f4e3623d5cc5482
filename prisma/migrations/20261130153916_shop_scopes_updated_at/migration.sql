-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN "scopesUpdatedAt" DATETIME;

