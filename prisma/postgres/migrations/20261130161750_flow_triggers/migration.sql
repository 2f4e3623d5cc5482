-- AlterTable
ALTER TABLE "BackorderLine" ADD COLUMN     "promisedShipDate" TEXT;

-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN     "flowTriggers" BOOLEAN NOT NULL DEFAULT true;

