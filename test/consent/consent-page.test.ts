// The customer's page is rendered by Shopify as Liquid inside the shop's theme: data in it
// (titles, order names from Shopify) must come out as text, never as Liquid or HTML.
import { Liquid } from "liquidjs";
import { describe, expect, it } from "vitest";
import { inert, renderConsentPage } from "../../app/consent/consent-page.ts";
import { EMAIL_LANGUAGES } from "../../app/backorder/customer-emails.ts";

const engine = new Liquid();
const shopContext = { customer: { email: "secret@example.com" }, shop: { name: "North Wool" } };
const line = {
  orderName: "#1001",
  title: "Sweater {{ customer.email }} {% raw %}<script>x()</script>",
  quantity: 2,
  promisedDate: "2026-12-24",
};

describe("consent page", () => {
  it("asks with a POST form and shows the line", async () => {
    const html = await engine.parseAndRender(
      renderConsentPage({ kind: "ask", choice: "cancel", line }, "/apps/backorder/consent/cancel?t=a.b"),
      shopContext,
    );
    expect(html).toContain('<form method="post" action="/apps/backorder/consent/cancel?t=a.b">');
    expect(html).toContain("Cancel this item and refund me");
    // The other choice, second: the same token on the keep path.
    expect(html.indexOf('action="/apps/backorder/consent/keep?t=a.b"')).toBeGreaterThan(html.indexOf("consent/cancel?t=a.b"));
    expect(html).toContain("Keep my order");
    expect(html).toContain("December 24, 2026");
    expect(html).toContain("#1001");
  });

  it("keeps data inert under Liquid: no customer data leaks, no markup runs", async () => {
    const html = await engine.parseAndRender(renderConsentPage({ kind: "kept", line }, "/x"), shopContext);
    expect(html).not.toContain("secret@example.com");
    expect(html).not.toContain("<script>");
    expect(html).toContain("&#123;&#123; customer.email &#125;&#125;");
    expect(inert(`{%'"<>&`)).toBe("&#123;&#37;&#39;&#34;&#60;&#62;&#38;");
  });

  it("has a page for every refusal, without a form", async () => {
    for (const reason of ["malformed", "tampered", "expired", "other-shop", "unknown-line", "answered", "not-waiting"] as const) {
      const html = await engine.parseAndRender(renderConsentPage({ kind: "refused", reason }, "/x"), shopContext);
      expect(html, reason).toMatch(/<h1>[^<]+<\/h1>/);
      expect(html, reason).not.toContain("<form");
    }
  });

  it("is written in each language the emails are sent in, dates as the customer reads them", async () => {
    const titles = new Set<string>();
    for (const language of EMAIL_LANGUAGES) {
      const html = await engine.parseAndRender(renderConsentPage({ kind: "ask", choice: "keep", line }, "/x?t=a", language), shopContext);
      expect(html).toContain(`lang="${language}"`);
      titles.add(/<h1>([^<]+)<\/h1>/.exec(html)![1]!);
    }
    expect(titles.size).toBe(EMAIL_LANGUAGES.length);
    const fr = renderConsentPage({ kind: "refused", reason: "answered", answered: "cancel" }, "/x", "fr");
    expect(fr).toContain("Vous avez déjà répondu");
    expect(fr).toContain("Vous avez choisi d’annuler l’article.");
    const es = renderConsentPage({ kind: "cancelled", line }, "/x", "es");
    expect(es).toContain("24 de diciembre de 2026");
    expect(es).toContain("<dt>Artículo</dt>");
  });
});
