// What a page shows when its loader or action fails: the merchant keeps the navigation
// and gets a way to try again instead of a blank frame.
import { isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { Banner, BlockStack, Button, Page, Text } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";

/**
 * Shopify's auth flow answers a page's loader with responses (the App Bridge redirect, a
 * 401 that App Bridge retries with a fresh session token) that must be rendered as they
 * are. A page's own error boundary is the nearest one, so it must pass them on.
 */
export const isShopifyAuthResponse = (error: unknown) => isRouteErrorResponse(error) && (error.status < 400 || error.status === 401);

export function RouteError({ title }: { title: string }) {
  const error = useRouteError();
  if (isShopifyAuthResponse(error)) return boundary.error(error);
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  const detail = isRouteErrorResponse(error)
    ? typeof error.data === "string" && error.data.length < 300
      ? error.data
      : error.statusText
    : error instanceof Error
      ? error.message
      : null;
  return (
    <Page title={title}>
      <Banner tone="critical" title={notFound ? "This page does not exist" : "This page could not be loaded"}>
        <BlockStack gap="200">
          <Text as="p">
            {notFound
              ? "The link may be out of date."
              : "Your data is safe: nothing was changed. Try again in a moment; if it keeps happening, contact support with the message below."}
          </Text>
          {detail ? (
            <Text as="p" tone="subdued" breakWord>
              {detail}
            </Text>
          ) : null}
          <div>
            <Button onClick={() => window.location.reload()}>Try again</Button>
          </div>
        </BlockStack>
      </Banner>
    </Page>
  );
}
