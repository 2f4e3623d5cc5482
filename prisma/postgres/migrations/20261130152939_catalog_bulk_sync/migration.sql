-- CreateTable
CREATE TABLE "CatalogBulkSync" (
    "shop" TEXT NOT NULL,
    "operationId" TEXT NOT NULL,
    "linesApplied" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CatalogBulkSync_pkey" PRIMARY KEY ("shop")
);

