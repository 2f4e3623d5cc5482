// The two links of a delay notice. They open on the shop's own domain under its App Proxy
// (shopify.app.toml [app_proxy]: https://<shop>/apps/backorder/...), which Shopify forwards,
// signed, to the app; so the customer stays on the shop and its theme frames the page.
import type { EmailLanguage } from "../backorder/customer-emails.ts";
import { appConfig } from "../config.server.ts";
import { signConsentToken } from "./consent-token.ts";

/** How long a delay notice's links work. */
export const CONSENT_LINK_DAYS = 30;
export const APP_PROXY_PATH = "/apps/backorder";

export interface ConsentLinks {
  keepUrl: string;
  cancelUrl: string;
}

/**
 * `secret`: the app's API secret (default: from the configuration; the demo passes its own).
 * `language`: the notice's, so the page answers in it; outside the token (it changes nothing).
 */
export function consentLinks(opts: {
  shop: string;
  lineItemId: string;
  promisedDate: string;
  language?: EmailLanguage;
  now?: Date;
  secret?: string;
}): ConsentLinks {
  const now = opts.now ?? new Date();
  const expiresAt = Math.floor(now.getTime() / 1000) + CONSENT_LINK_DAYS * 86_400;
  const token = signConsentToken(
    { shop: opts.shop, lineItemId: opts.lineItemId, promisedDate: opts.promisedDate, expiresAt },
    opts.secret ?? appConfig().apiSecret,
  );
  const base = `https://${opts.shop}${APP_PROXY_PATH}/consent`;
  const lang = opts.language && opts.language !== "en" ? `&lang=${opts.language}` : "";
  return { keepUrl: `${base}/keep?t=${token}${lang}`, cancelUrl: `${base}/cancel?t=${token}${lang}` };
}
