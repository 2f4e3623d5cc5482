// Layout of the merchant admin: Polaris (and App Bridge inside Shopify admin) around
// every /app page. Outside Shopify admin (the dev-only demo) there is no App Bridge
// script to load, so the pages get their own navigation instead of the admin's.
import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useLocation, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import { AppProvider as PolarisAppProvider, Badge, Box, Button, InlineStack, Text } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json" with { type: "json" };
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { requireShop } from "../auth/require-shop.server.ts";
import { RouteError, isShopifyAuthResponse } from "../admin/ui/RouteError.tsx";
import { appConfig } from "../config.server.ts";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, embedded } = await requireShop(request);
  return json({ shop, embedded, apiKey: appConfig().apiKey });
};

const PAGES = [
  { url: "/app", label: "Dashboard" },
  { url: "/app/queue", label: "Queue" },
  { url: "/app/variants", label: "Variants" },
  { url: "/app/emails", label: "Emails" },
  { url: "/app/planning", label: "Planning" },
  { url: "/app/settings", label: "Settings" },
  { url: "/app/privacy", label: "Privacy" },
];

function StandaloneNav({ shop }: { shop: string }) {
  const { pathname } = useLocation();
  return (
    <Box background="bg-surface" borderBlockEndWidth="025" borderColor="border" paddingInline="400" paddingBlock="200">
      <nav aria-label="Backorder Queue">
        <InlineStack gap="400" blockAlign="center" align="space-between">
          <InlineStack gap="200" blockAlign="center">
            <Text as="span" variant="headingMd">
              Backorder Queue
            </Text>
            {PAGES.map((p) => (
              <Button key={p.url} url={p.url} variant={pathname === p.url ? "secondary" : "tertiary"} pressed={pathname === p.url}>
                {p.label}
              </Button>
            ))}
          </InlineStack>
          <InlineStack gap="200" blockAlign="center">
            <Text as="span" tone="subdued">
              {shop}
            </Text>
            <Badge tone="attention">Demo</Badge>
          </InlineStack>
        </InlineStack>
      </nav>
    </Box>
  );
}

export default function AdminLayout() {
  const { shop, embedded, apiKey } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp={embedded} apiKey={apiKey} i18n={en}>
      {embedded ? (
        <NavMenu>
          <Link to="/app" rel="home">
            Dashboard
          </Link>
          {PAGES.slice(1).map((p) => (
            <Link key={p.url} to={p.url}>
              {p.label}
            </Link>
          ))}
        </NavMenu>
      ) : (
        <StandaloneNav shop={shop} />
      )}
      <Outlet />
    </AppProvider>
  );
}

// Shopify's auth flow answers with responses (e.g. the App Bridge redirect) that must be
// rendered as they are; anything else is a real error, shown in Polaris.
export function ErrorBoundary() {
  const error = useRouteError();
  if (isShopifyAuthResponse(error)) return boundary.error(error);
  return (
    <PolarisAppProvider i18n={en}>
      <RouteError title="Backorder Queue" />
    </PolarisAppProvider>
  );
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
