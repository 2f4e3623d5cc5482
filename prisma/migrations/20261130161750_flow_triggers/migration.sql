-- AlterTable
ALTER TABLE "BackorderLine" ADD COLUMN "promisedShipDate" TEXT;

-- AlterTable (written by hand instead of Prisma's table rebuild: a column with a constant
-- default is added in place, and no other column of ShopSettings is named or copied)
ALTER TABLE "ShopSettings" ADD COLUMN "flowTriggers" BOOLEAN NOT NULL DEFAULT true;
