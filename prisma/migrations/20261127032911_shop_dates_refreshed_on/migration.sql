-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN "datesRefreshedOn" TEXT;

