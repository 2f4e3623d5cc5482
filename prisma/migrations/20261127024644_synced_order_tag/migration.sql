-- AlterTable
ALTER TABLE "SyncedOrder" ADD COLUMN "tag" TEXT;

