// The customer's page, as the App Proxy answer: `application/liquid`, so Shopify renders it
// inside the shop's theme (its header, footer and styles: the shop's look). Shopify renders
// the body as Liquid, so nothing that came from data may carry Liquid: every value is HTML-
// escaped and its braces and percent signs too (a product titled "{{ customer.email }}"
// prints as text). Class names are Dawn/Horizon's common ones (page-width, button).
import type { ConsentChoice, ConsentLineView, ConsentOutcome, ConsentRefusal } from "./consent.server.ts";

/** HTML text that Liquid leaves as it is. */
export function inert(text: string): string {
  return text.replace(/[&<>"'{}%]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const REFUSALS: Record<ConsentRefusal, { title: string; body: string }> = {
  malformed: { title: "This link is incomplete", body: "Part of the link is missing. Open it again from the email, or contact the shop." },
  tampered: {
    title: "This link is not valid",
    body: "The link was changed after the shop sent it. Open it again from the email, or contact the shop.",
  },
  expired: { title: "This link has expired", body: "The link in the email works for 30 days. Contact the shop to change your order." },
  "other-shop": {
    title: "This link is for another shop",
    body: "Open it from the email you received: it belongs to the shop that sent it.",
  },
  "unknown-line": { title: "We could not find this item", body: "The order line in this link is not known here. Contact the shop." },
  answered: { title: "You have already answered", body: "Your answer to this notice is recorded; nothing was changed now." },
  "not-waiting": {
    title: "This item is no longer waiting",
    body: "It has shipped, been allocated stock or been cancelled since the email, so there is nothing to decide. Nothing was changed.",
  },
};

function lineBlock(line: ConsentLineView): string {
  return `<dl class="backorder-consent__line">
  <dt>Order</dt><dd>${inert(line.orderName)}</dd>
  <dt>Item</dt><dd>${inert(line.title)}</dd>
  <dt>Quantity</dt><dd>${line.quantity}</dd>
  <dt>New ship date</dt><dd><time datetime="${inert(line.promisedDate)}">${inert(longDate(line.promisedDate))}</time></dd>
</dl>`;
}

function longDate(isoDate: string): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  return Number.isNaN(d.getTime())
    ? isoDate
    : d.toLocaleDateString("en-US", { timeZone: "UTC", year: "numeric", month: "long", day: "numeric" });
}

const QUESTIONS: Record<ConsentChoice, { title: string; body: string; button: string }> = {
  keep: {
    title: "Keep your order?",
    body: "Your item will ship when it is back in stock, by the new date below. Confirm to keep it on order.",
    button: "Keep my order",
  },
  cancel: {
    title: "Cancel this item?",
    body: "The item is removed from your order and refunded to your original payment method. The rest of your order is not affected.",
    button: "Cancel this item and refund me",
  },
};

function page(title: string, inner: string): string {
  return `<div class="page-width backorder-consent" style="max-width:40rem;margin:3rem auto;padding:0 1.5rem">
<h1>${inert(title)}</h1>
${inner}
</div>`;
}

/** The page for an outcome; `formAction`: the proxy path the confirm button posts to (on the shop's domain). */
export function renderConsentPage(outcome: ConsentOutcome, formAction: string): string {
  switch (outcome.kind) {
    case "ask": {
      // The link's choice first; the other stays one press away (a customer who clicked the wrong link).
      const q = QUESTIONS[outcome.choice];
      const other: ConsentChoice = outcome.choice === "keep" ? "cancel" : "keep";
      const otherAction = formAction.replace(`/consent/${outcome.choice}?`, `/consent/${other}?`);
      return page(
        q.title,
        `<p>${inert(q.body)}</p>
${lineBlock(outcome.line)}
<form method="post" action="${inert(formAction)}">
  <button type="submit" class="button">${inert(q.button)}</button>
</form>
<form method="post" action="${inert(otherAction)}" class="backorder-consent__other">
  <p>${other === "keep" ? "Changed your mind?" : "Would you rather not wait?"}</p>
  <button type="submit" class="button button--secondary">${inert(QUESTIONS[other].button)}</button>
</form>`,
      );
    }
    case "kept":
      return page(
        "Thank you: your order stays",
        `<p>We have recorded that you keep this item for the new date.</p>\n${lineBlock(outcome.line)}`,
      );
    case "cancelled":
      return page(
        "The item is cancelled",
        `<p>It has been refunded to your original payment method; the shop sends you a confirmation.</p>\n${lineBlock(outcome.line)}`,
      );
    case "failed":
      return page(
        "We could not cancel the item",
        outcome.retry
          ? `<p>The shop could not be reached just now. Nothing was charged twice: press the button again in a moment.</p>
${lineBlock(outcome.line)}
<form method="post" action="${inert(formAction)}"><button type="submit" class="button">Try again</button></form>`
          : `<p>The shop's system refused the refund, so nothing was changed. Please contact the shop.</p>\n${lineBlock(outcome.line)}`,
      );
    case "refused": {
      const r = REFUSALS[outcome.reason];
      const answered =
        outcome.answered === "keep"
          ? " You chose to keep the item."
          : outcome.answered === "cancel"
            ? " You chose to cancel the item."
            : "";
      return page(r.title, `<p>${inert(r.body + answered)}</p>`);
    }
  }
}

/** Not from Shopify's proxy (unsigned, forged or replayed): plain HTML, no theme, nothing read. */
export function renderUnverifiedPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Link not valid</title></head>
<body><h1>This page only opens from the shop</h1><p>Open the link from the email you received from the shop.</p></body></html>`;
}
