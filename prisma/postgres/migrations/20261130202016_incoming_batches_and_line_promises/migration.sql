-- CreateTable
CREATE TABLE "IncomingBatch" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "arrivesOn" TIMESTAMP(3) NOT NULL,
    "quantity" INTEGER NOT NULL,
    "locationId" TEXT,
    "reference" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IncomingBatch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LinePromise" (
    "shop" TEXT NOT NULL,
    "lineItemId" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "firstPromised" TEXT NOT NULL,
    "firstPromisedAt" TIMESTAMP(3) NOT NULL,
    "promisedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LinePromise_pkey" PRIMARY KEY ("shop","lineItemId")
);

-- CreateIndex
CREATE INDEX "IncomingBatch_shop_variantId_arrivesOn_idx" ON "IncomingBatch"("shop", "variantId", "arrivesOn");

-- CreateIndex
CREATE INDEX "IncomingBatch_shop_arrivesOn_idx" ON "IncomingBatch"("shop", "arrivesOn");

-- CreateIndex
CREATE INDEX "LinePromise_shop_variantId_idx" ON "LinePromise"("shop", "variantId");

