-- CreateTable
CREATE TABLE "AutoEnableProduct" (
    "shop" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "collectionId" TEXT NOT NULL,

    PRIMARY KEY ("shop", "productId")
);

