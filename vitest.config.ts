import { defineConfig } from "vitest/config";

// Three tiers, each a vitest project (`npm run test:unit|test:integration|test:browser`;
// `npm test` runs them all, the last two on SQLite and then on PostgreSQL):
// - unit: pure code, no database, no server, no browser; runs in seconds.
// - browser: headless Chromium (Debian's /usr/bin/chromium).
// - integration: everything else, on a real database (TEST_DATABASE) and real HTTP.
// A new test file is integration unless it is listed here.
export const UNIT_TESTS = [
  "test/backorder/**/*.test.ts",
  "test/shopify/**/*.test.ts",
  "test/admin/validation.test.ts",
  "test/admin/incoming-batches.test.ts",
  "test/admin/route-error.test.tsx",
  "test/standin/schema.test.ts",
  "test/standin/scopes.test.ts",
  "test/standin/readme-scopes.test.ts",
  "test/storefront/metafield-definition.test.ts",
  "test/storefront/theme-extension.test.ts",
  "test/sync/inventory-policy.test.ts",
  "test/inbox/body-part-split.test.ts",
  "test/config.test.ts",
  "test/consent/consent-token.test.ts",
  "test/consent/app-proxy-signature.test.ts",
  "test/consent/consent-page.test.ts",
  "test/email/templates.test.ts",
  "test/email/secret-box.test.ts",
];
export const BROWSER_TESTS = [
  "test/admin/browser.test.ts",
  "test/admin/planning-browser.test.ts",
  "test/admin/planning-browser-locations.test.ts",
  "test/admin/onboarding-browser.test.ts",
  "test/storefront/product-page.test.ts",
  "test/storefront/cart.test.ts",
  "test/faults/theme-escaping.test.ts",
  "test/demo/**/*.test.ts",
  "test/consent/consent-browser.test.ts",
  "test/email/emails-page.test.ts",
  "test/sync/order-promise.test.tsx",
];
export const ALL_TESTS = ["test/**/*.test.ts", "test/**/*.test.tsx"];

export default defineConfig({
  test: {
    // Each file makes its own database; files in parallel, tests in a file in order.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll waits for what a page or a process will show; 1 s (vitest's default) is
    // too short on a loaded 2-core CI machine. A bound on waiting, not a speed assertion.
    expect: { poll: { timeout: 15_000 } },
    reporters: ["default"],
    projects: [
      { extends: true, test: { name: "unit", include: UNIT_TESTS } },
      { extends: true, test: { name: "integration", include: ALL_TESTS, exclude: [...UNIT_TESTS, ...BROWSER_TESTS] } },
      { extends: true, test: { name: "browser", include: BROWSER_TESTS } },
    ],
  },
});
