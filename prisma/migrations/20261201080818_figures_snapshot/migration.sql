-- CreateTable
CREATE TABLE "FiguresSnapshot" (
    "shop" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "asOf" DATETIME NOT NULL,
    "refreshingUntil" DATETIME,

    PRIMARY KEY ("shop", "key")
);

