-- CreateTable
CREATE TABLE "IncomingBatch" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "arrivesOn" DATETIME NOT NULL,
    "quantity" INTEGER NOT NULL,
    "locationId" TEXT,
    "reference" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "LinePromise" (
    "shop" TEXT NOT NULL,
    "lineItemId" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "firstPromised" TEXT NOT NULL,
    "firstPromisedAt" DATETIME NOT NULL,
    "promisedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "lineItemId")
);

-- CreateIndex
CREATE INDEX "IncomingBatch_shop_variantId_arrivesOn_idx" ON "IncomingBatch"("shop", "variantId", "arrivesOn");

-- CreateIndex
CREATE INDEX "IncomingBatch_shop_arrivesOn_idx" ON "IncomingBatch"("shop", "arrivesOn");

-- CreateIndex
CREATE INDEX "LinePromise_shop_variantId_idx" ON "LinePromise"("shop", "variantId");

