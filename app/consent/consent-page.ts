// The customer's page, as the App Proxy answer: `application/liquid`, so Shopify renders it
// inside the shop's theme (its header, footer and styles: the shop's look). Shopify renders
// the body as Liquid, so nothing that came from data may carry Liquid: every value is HTML-
// escaped and its braces and percent signs too (a product titled "{{ customer.email }}"
// prints as text). Class names are Dawn/Horizon's common ones (page-width, button).
import type { EmailLanguage } from "../backorder/customer-emails.ts";
import { formatEmailDate } from "../email/templates.ts";
import type { ConsentChoice, ConsentLineView, ConsentOutcome } from "./consent.server.ts";
import { CONSENT_TEXTS, type ConsentTexts } from "./consent-texts.ts";

/** HTML text that Liquid leaves as it is. */
export function inert(text: string): string {
  return text.replace(/[&<>"'{}%]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function lineBlock(line: ConsentLineView, t: ConsentTexts, language: EmailLanguage): string {
  return `<dl class="backorder-consent__line">
  <dt>${inert(t.labels.order)}</dt><dd>${inert(line.orderName)}</dd>
  <dt>${inert(t.labels.item)}</dt><dd>${inert(line.title)}</dd>
  <dt>${inert(t.labels.quantity)}</dt><dd>${line.quantity}</dd>
  <dt>${inert(t.labels.newDate)}</dt><dd><time datetime="${inert(line.promisedDate)}">${inert(formatEmailDate(line.promisedDate, language))}</time></dd>
</dl>`;
}

function page(title: string, inner: string, language: EmailLanguage): string {
  return `<div class="page-width backorder-consent" lang="${language}" style="max-width:40rem;margin:3rem auto;padding:0 1.5rem">
<h1>${inert(title)}</h1>
${inner}
</div>`;
}

/**
 * The page for an outcome, in the notice's language; `formAction`: the proxy path the confirm
 * button posts to (on the shop's domain).
 */
export function renderConsentPage(outcome: ConsentOutcome, formAction: string, language: EmailLanguage = "en"): string {
  const t = CONSENT_TEXTS[language];
  const p = (text: string) => `<p>${inert(text)}</p>`;
  switch (outcome.kind) {
    case "ask": {
      // The link's choice first; the other stays one press away (a customer who clicked the wrong link).
      const q = t.questions[outcome.choice];
      const other: ConsentChoice = outcome.choice === "keep" ? "cancel" : "keep";
      const otherAction = formAction.replace(`/consent/${outcome.choice}?`, `/consent/${other}?`);
      return page(
        q.title,
        `${p(q.body)}
${lineBlock(outcome.line, t, language)}
<form method="post" action="${inert(formAction)}">
  <button type="submit" class="button">${inert(q.button)}</button>
</form>
<form method="post" action="${inert(otherAction)}" class="backorder-consent__other">
  ${p(t.otherChoice[other])}
  <button type="submit" class="button button--secondary">${inert(t.questions[other].button)}</button>
</form>`,
        language,
      );
    }
    case "kept":
      return page(t.kept.title, `${p(t.kept.body)}\n${lineBlock(outcome.line, t, language)}`, language);
    case "cancelled":
      return page(t.cancelled.title, `${p(t.cancelled.body)}\n${lineBlock(outcome.line, t, language)}`, language);
    case "failed":
      return page(
        t.failed.title,
        outcome.retry
          ? `${p(t.failed.retry)}
${lineBlock(outcome.line, t, language)}
<form method="post" action="${inert(formAction)}"><button type="submit" class="button">${inert(t.failed.tryAgain)}</button></form>`
          : `${p(t.failed.refused)}\n${lineBlock(outcome.line, t, language)}`,
        language,
      );
    case "refused": {
      const r = t.refusals[outcome.reason];
      return page(r.title, p(outcome.answered ? `${r.body} ${t.answered[outcome.answered]}` : r.body), language);
    }
  }
}

/** Not from Shopify's proxy (unsigned, forged or replayed): plain HTML, no theme, nothing read. */
export function renderUnverifiedPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Link not valid</title></head>
<body><h1>This page only opens from the shop</h1><p>Open the link from the email you received from the shop.</p></body></html>`;
}
