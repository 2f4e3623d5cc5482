import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

export default tseslint.config(
  { ignores: ["node_modules/", "build/", ".cache/", "prisma/generated/", "public/build/", "app/shopify/generated/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-restricted-imports": "off",
    },
  },
  {
    // The storefront script runs in shoppers' browsers; it ships without even a comment
    // naming its globals (its 1 KB gzip budget, docs/decisions/0019).
    files: ["extensions/**/*.js"],
    languageOptions: { globals: { document: "readonly", fetch: "readonly", DOMParser: "readonly", MutationObserver: "readonly" } },
  },
  {
    // The domain stays plain TypeScript: no Remix, Shopify, Prisma or database imports.
    files: ["app/backorder/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: ["@remix-run/*", "@shopify/*", "@prisma/*", "prisma", "*/db/*", "*.server", "*.server.ts", "graphql-request"] },
      ],
    },
  },
);
