-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN "shippingMetafield" TEXT;

