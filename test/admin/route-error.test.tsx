// A page's own error boundary is the nearest one to its loader, so it sees Shopify's auth
// responses first: those must be rendered as Shopify sent them (App Bridge takes over),
// while a real failure gets the Polaris error page.
import { renderToString } from "react-dom/server";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json" with { type: "json" };
import { describe, expect, it } from "vitest";
import { RouteError } from "../../app/admin/ui/RouteError.tsx";

async function renderFailingPage(thrown: () => never): Promise<string> {
  const router = createMemoryRouter([{ path: "/", loader: thrown, element: <p>page</p>, errorElement: <RouteError title="Queue" /> }]);
  await new Promise<void>((resolve) => {
    if (router.state.initialized) return resolve();
    const stop = router.subscribe((s) => s.initialized && (stop(), resolve()));
  });
  return renderToString(
    <AppProvider i18n={en}>
      <RouterProvider router={router} />
    </AppProvider>,
  );
}

describe("a page's error boundary", () => {
  it("renders Shopify's auth response as it is (App Bridge re-authenticates)", async () => {
    const html = await renderFailingPage(() => {
      throw new Response('<script data-app-bridge-bounce="1"></script>', { status: 401 });
    });
    expect(html).toContain("data-app-bridge-bounce");
    expect(html).not.toContain("could not be loaded");
  });

  it("shows the Polaris error page for a real failure, with the reason", async () => {
    const html = await renderFailingPage(() => {
      throw new Error("database unreachable");
    });
    expect(html).toContain("This page could not be loaded");
    expect(html).toContain("database unreachable");
  });
});
