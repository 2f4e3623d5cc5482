-- CreateTable
CREATE TABLE "TokenRefreshLease" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT,
    "lockedUntil" DATETIME NOT NULL
);

