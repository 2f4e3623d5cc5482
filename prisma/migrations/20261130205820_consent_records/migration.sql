-- CreateTable
CREATE TABLE "ConsentRecord" (
    "shop" TEXT NOT NULL,
    "lineItemId" TEXT NOT NULL,
    "promisedDate" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "choice" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "refundId" TEXT,
    "customerId" TEXT,
    "answeredAt" DATETIME NOT NULL,
    "workingUntil" DATETIME,

    PRIMARY KEY ("shop", "lineItemId", "promisedDate")
);

-- CreateIndex
CREATE INDEX "ConsentRecord_shop_orderId_idx" ON "ConsentRecord"("shop", "orderId");

