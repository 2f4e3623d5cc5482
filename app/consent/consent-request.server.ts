// The App Proxy door for the delay notice's links: https://<shop>/apps/backorder/consent/{keep|cancel}?t=
// arrives here as /proxy/consent/{keep|cancel}?t=...&shop=...&signature=... . The signature is
// checked before anything is read; then GET shows the confirm page and POST (its button)
// answers. Answers are `application/liquid` (rendered in the shop's theme); `Cache-Control:
// no-store` so no cache in between keeps a personal page.
import { isEmailLanguage, type EmailLanguage } from "../backorder/customer-emails.ts";
import { verifyProxyQuery } from "./app-proxy-signature.ts";
import { renderConsentPage, renderUnverifiedPage } from "./consent-page.ts";
import {
  answerConsent,
  CONSENT_CHOICES,
  readConsent,
  type ConsentChoice,
  type ConsentDeps,
  type ConsentOutcome,
} from "./consent.server.ts";

// 200 even for a refusal: the page is the answer, and Shopify's handling of other statuses
// from a proxy is not documented (it may show its own error page instead of ours). The outcome
// is in X-Backorder-Consent for logs and tests.
const liquid = (body: string, outcome: string) =>
  new Response(body, {
    status: 200,
    headers: { "Content-Type": "application/liquid; charset=utf-8", "Cache-Control": "no-store", "X-Backorder-Consent": outcome },
  });

const outcomeName = (o: ConsentOutcome) =>
  o.kind === "refused" ? `refused:${o.reason}` : o.kind === "failed" ? `failed:${o.retry ? "retry" : "refused"}` : o.kind;

export async function consentRequest(request: Request, choiceParam: string | undefined, deps: ConsentDeps): Promise<Response> {
  const url = new URL(request.url);
  const now = deps.now?.() ?? new Date();
  const proxied = verifyProxyQuery(url.searchParams, deps.secret, Math.floor(now.getTime() / 1000));
  if (!proxied.ok)
    return new Response(renderUnverifiedPage(), {
      status: 401,
      headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
    });
  if (request.method !== "GET" && request.method !== "POST") return new Response(null, { status: 405, headers: { Allow: "GET, POST" } });
  const choice = CONSENT_CHOICES.find((c) => c === choiceParam) as ConsentChoice | undefined;
  const token = url.searchParams.get("t") ?? "";
  const lang = url.searchParams.get("lang");
  const language: EmailLanguage = isEmailLanguage(lang) ? lang : "en";
  // The button posts back to the same link on the shop's domain (the proxy signs it anew).
  const formAction = `${proxied.request.pathPrefix}/consent/${choice ?? "keep"}?t=${encodeURIComponent(token)}${language === "en" ? "" : `&lang=${language}`}`;
  if (!choice) return liquid(renderConsentPage({ kind: "refused", reason: "malformed" }, formAction, language), "refused:malformed");
  const { shop } = proxied.request;
  const outcome =
    request.method === "POST"
      ? await answerConsent(deps, shop, token, choice, proxied.request.loggedInCustomerId)
      : await readConsent(deps, shop, token, choice);
  return liquid(renderConsentPage(outcome, formAction, language), outcomeName(outcome));
}
