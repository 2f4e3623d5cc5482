-- CreateTable
CREATE TABLE "ShopLease" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "lockedBy" TEXT NOT NULL,
    "lockedUntil" DATETIME NOT NULL
);

