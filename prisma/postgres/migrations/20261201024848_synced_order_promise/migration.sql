-- AlterTable
ALTER TABLE "SyncedOrder" ADD COLUMN     "promiseValue" TEXT;

