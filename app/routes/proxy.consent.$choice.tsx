// The delay notice's "keep my order" / "cancel this item" links, through the shop's App Proxy
// (shopify.app.toml [app_proxy]): GET shows the confirm page, its button POSTs the answer.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { appConfig } from "../config.server.ts";
import { db } from "../db/client.server.ts";
import { consentRequest } from "../consent/consent-request.server.ts";
import { processGateways } from "../sync/gateways.server.ts";

const deps = () => ({ db: db(), gateways: processGateways(), secret: appConfig().apiSecret });

export const loader = ({ request, params }: LoaderFunctionArgs) => consentRequest(request, params.choice, deps());
export const action = ({ request, params }: ActionFunctionArgs) => consentRequest(request, params.choice, deps());
