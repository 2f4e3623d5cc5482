-- CreateTable
CREATE TABLE "OnboardingState" (
    "shop" TEXT NOT NULL,
    "themeCheckedAt" TIMESTAMP(3),
    "themeName" TEXT,
    "productBlock" BOOLEAN NOT NULL DEFAULT false,
    "appEmbed" BOOLEAN NOT NULL DEFAULT false,
    "themeError" TEXT,
    "dismissedAt" TIMESTAMP(3),

    CONSTRAINT "OnboardingState_pkey" PRIMARY KEY ("shop")
);

