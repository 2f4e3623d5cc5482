-- CreateTable
CREATE TABLE "AutoEnableProduct" (
    "shop" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "collectionId" TEXT NOT NULL,

    CONSTRAINT "AutoEnableProduct_pkey" PRIMARY KEY ("shop","productId")
);

