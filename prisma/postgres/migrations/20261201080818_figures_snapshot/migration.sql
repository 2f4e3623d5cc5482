-- CreateTable
CREATE TABLE "FiguresSnapshot" (
    "shop" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "asOf" TIMESTAMP(3) NOT NULL,
    "refreshingUntil" TIMESTAMP(3),

    CONSTRAINT "FiguresSnapshot_pkey" PRIMARY KEY ("shop","key")
);

