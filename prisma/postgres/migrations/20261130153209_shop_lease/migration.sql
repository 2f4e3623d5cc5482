-- CreateTable
CREATE TABLE "ShopLease" (
    "shop" TEXT NOT NULL,
    "lockedBy" TEXT NOT NULL,
    "lockedUntil" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopLease_pkey" PRIMARY KEY ("shop")
);

