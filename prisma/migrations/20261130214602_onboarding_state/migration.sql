-- CreateTable
CREATE TABLE "OnboardingState" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "themeCheckedAt" DATETIME,
    "themeName" TEXT,
    "productBlock" BOOLEAN NOT NULL DEFAULT false,
    "appEmbed" BOOLEAN NOT NULL DEFAULT false,
    "themeError" TEXT,
    "dismissedAt" DATETIME
);

