// Opened outside Shopify admin: send the merchant to the embedded app if we know the shop.
import { redirect, type LoaderFunctionArgs } from "@remix-run/node";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return null;
};

export default function Index() {
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 560, margin: "4rem auto", lineHeight: 1.5 }}>
      <h1>Backorder Queue</h1>
      <p>Keep selling when stock runs out: a first-come, first-served backorder queue with honest ship dates.</p>
      <p>
        Open the app from your Shopify admin to manage it, or <a href="/auth/login">log in with your shop&apos;s domain</a>.
      </p>
    </main>
  );
}
