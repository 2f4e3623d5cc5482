// The login page of Shopify's auth flow (shopify-app-remix sends a merchant here when it
// cannot tell the shop, e.g. the app opened outside Shopify admin). Without this route
// `/auth/login` fell to auth.$, whose authenticate.admin refuses the login path: a 500.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { LoginErrorType } from "@shopify/shopify-app-remix/server";
import { login } from "../shopify.server.ts";

export const meta: MetaFunction = () => [{ title: "Log in · Backorder Queue" }];

type LoginErrors = { shop?: string };

const MESSAGES: Record<LoginErrorType, string> = {
  [LoginErrorType.MissingShop]: "Enter your shop's domain to log in.",
  [LoginErrorType.InvalidShop]: "Enter a shop domain like my-store.myshopify.com.",
};

/** A valid shop makes login() throw the redirect to Shopify; otherwise it names what is wrong. */
async function tryLogin(request: Request) {
  const result = await login(request);
  const errors: LoginErrors = result.shop ? { shop: MESSAGES[result.shop] } : {};
  return json({ errors }, { status: errors.shop ? 400 : 200 });
}

export const loader = ({ request }: LoaderFunctionArgs) => tryLogin(request);
export const action = ({ request }: ActionFunctionArgs) => tryLogin(request);

export default function Login() {
  const loaded = useLoaderData<typeof loader>();
  const errors = useActionData<typeof action>()?.errors ?? loaded.errors;
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 420, margin: "4rem auto", lineHeight: 1.5 }}>
      <h1>Log in to Backorder Queue</h1>
      <Form method="post">
        <label htmlFor="shop" style={{ display: "block", fontWeight: 600 }}>
          Shop domain
        </label>
        <input
          id="shop"
          name="shop"
          type="text"
          autoComplete="on"
          placeholder="my-store.myshopify.com"
          aria-invalid={errors.shop ? true : undefined}
          aria-describedby={errors.shop ? "shop-error" : undefined}
          style={{ width: "100%", padding: "0.5rem", margin: "0.25rem 0" }}
        />
        {errors.shop ? (
          <p id="shop-error" role="alert" style={{ color: "#8e1f0b", margin: "0.25rem 0" }}>
            {errors.shop}
          </p>
        ) : null}
        <button type="submit" style={{ marginTop: "0.5rem", padding: "0.5rem 1rem" }}>
          Log in
        </button>
      </Form>
    </main>
  );
}
