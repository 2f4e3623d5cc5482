-- CreateTable
CREATE TABLE "TokenRefreshLease" (
    "shop" TEXT NOT NULL,
    "holder" TEXT,
    "lockedUntil" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TokenRefreshLease_pkey" PRIMARY KEY ("shop")
);

