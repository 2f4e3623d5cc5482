-- CreateTable
CREATE TABLE "CatalogBulkSync" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "operationId" TEXT NOT NULL,
    "linesApplied" INTEGER NOT NULL DEFAULT 0,
    "startedAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

