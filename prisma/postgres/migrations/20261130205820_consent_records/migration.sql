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
    "answeredAt" TIMESTAMP(3) NOT NULL,
    "workingUntil" TIMESTAMP(3),

    CONSTRAINT "ConsentRecord_pkey" PRIMARY KEY ("shop","lineItemId","promisedDate")
);

-- CreateIndex
CREATE INDEX "ConsentRecord_shop_orderId_idx" ON "ConsentRecord"("shop", "orderId");

