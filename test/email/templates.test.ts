// Rendering the four emails: every language, escaping, the merchant's template checks.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EMAIL_KINDS, EMAIL_LANGUAGES } from "../../app/backorder/customer-emails.ts";
import { DEFAULT_TEMPLATES, renderEmail, sampleEmailData, templateProblems } from "../../app/email/templates.ts";

describe("default templates", () => {
  it("are valid for every kind and language and fill every placeholder", () => {
    for (const lang of EMAIL_LANGUAGES) {
      for (const kind of EMAIL_KINDS) {
        const t = DEFAULT_TEMPLATES[lang][kind];
        expect(templateProblems(kind, t)).toEqual({});
        const r = renderEmail(kind, lang, t, sampleEmailData(kind, "linen.myshopify.com"));
        expect(r.subject).toContain("#1042");
        expect(r.text + r.subject).not.toMatch(/\{\{|\}\}/);
        expect(r.html).toContain(`lang="${lang}"`);
        expect(r.text).toContain("Linen Shirt - M");
      }
    }
  });

  it("writes dates in the customer's language", () => {
    const data = sampleEmailData("confirmation", "s");
    expect(renderEmail("confirmation", "en", DEFAULT_TEMPLATES.en.confirmation, data).text).toContain("December 15, 2026");
    expect(renderEmail("confirmation", "fr", DEFAULT_TEMPLATES.fr.confirmation, data).text).toContain("15 décembre 2026");
    expect(renderEmail("confirmation", "de", DEFAULT_TEMPLATES.de.confirmation, data).text).toContain("15. Dezember 2026");
    expect(renderEmail("confirmation", "es", DEFAULT_TEMPLATES.es.confirmation, data).text).toContain("15 de diciembre de 2026");
  });

  it("puts both consent links in a delay notice, as links in the HTML", () => {
    const data = { ...sampleEmailData("delay", "s"), keepUrl: "https://s/k?t=a&b", cancelUrl: "https://s/c?t=1" };
    const r = renderEmail("delay", "en", DEFAULT_TEMPLATES.en.delay, data);
    expect(r.text).toContain("https://s/k?t=a&b");
    expect(r.html).toContain('<a href="https://s/k?t=a&amp;b">Keep my order</a>');
    expect(r.html).toContain('<a href="https://s/c?t=1">Cancel this item for a refund</a>');
  });

  it("drops a missing name gracefully", () => {
    const data = { ...sampleEmailData("ready", "s"), customerName: null };
    expect(renderEmail("ready", "en", DEFAULT_TEMPLATES.en.ready, data).text).toMatch(/^Hello there,/);
    expect(renderEmail("ready", "fr", DEFAULT_TEMPLATES.fr.ready, data).text).toMatch(/^Bonjour,/);
  });
});

describe("escaping", () => {
  it("never lets a value or the merchant's text put markup in the HTML part", () => {
    const evil = fc.string().map((s) => `${s}<script>"'&`);
    fc.assert(
      fc.property(evil, evil, evil, (name, title, body) => {
        const data = {
          ...sampleEmailData("confirmation", "s"),
          customerName: name,
          items: [{ title, quantity: 1, shipDate: "2026-12-15" }],
        };
        const r = renderEmail("confirmation", "en", { subject: "x {{order_name}}", body: `${body} {{customer_name}} {{items}}` }, data);
        expect(r.html).not.toContain("<script>");
        expect(r.html.replace(/<\/?(?:!doctype html|html lang="en"|html|head|meta charset="utf-8"|body|p|br|ul|li)>/g, "")).not.toMatch(
          /[<>]/,
        );
      }),
    );
  });

  it("keeps the subject on one line", () => {
    const data = { ...sampleEmailData("ready", "s"), orderName: "#1\r\nBcc: x@y" };
    expect(renderEmail("ready", "en", DEFAULT_TEMPLATES.en.ready, data).subject).not.toMatch(/[\r\n]/);
  });
});

describe("templateProblems", () => {
  it("names an unknown placeholder, an empty part, a link outside a delay notice, a delay notice without both links", () => {
    expect(templateProblems("ready", { subject: "Hi {{nope}}", body: "x" }).subject).toContain("{{nope}}");
    expect(templateProblems("ready", { subject: "Hi", body: "x {{keep_url}}" }).body).toContain("{{keep_url}}");
    expect(templateProblems("ready", { subject: " ", body: "" })).toEqual({
      subject: "The subject cannot be empty.",
      body: "The body cannot be empty.",
    });
    expect(templateProblems("delay", { subject: "Late", body: "{{keep_url}}" }).body).toContain("{{cancel_url}}");
    expect(templateProblems("confirmation", { subject: "{{items}}", body: "x" }).subject).toContain("body");
  });
});
