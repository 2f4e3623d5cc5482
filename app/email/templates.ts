// The four emails' texts (defaults in en, fr, de, es; a shop may replace any subject or body)
// and their rendering into a subject, a plain-text part and an HTML part. Templates are plain
// text with {{placeholders}}; in the HTML part the template itself and every value put into it
// are escaped, so neither a merchant's text nor a product title or customer name can inject markup.
// Pure and free of server imports: the admin page renders its live preview with it in the browser.
import { type EmailKind, type EmailLanguage, EMAIL_KINDS, EMAIL_LANGUAGES } from "../backorder/customer-emails.ts";

export interface EmailItem {
  title: string;
  quantity: number;
  /** YYYY-MM-DD, or null when no date is known. */
  shipDate: string | null;
}

export interface EmailData {
  shopName: string;
  orderName: string;
  customerName: string | null;
  items: EmailItem[];
  /** The date the email is about (the new date of a delay notice; the latest of the items otherwise). */
  shipDate: string | null;
  /** Delay notices only: the customer's two answers. */
  keepUrl?: string;
  cancelUrl?: string;
}

export interface EmailText {
  subject: string;
  body: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export const PLACEHOLDERS = ["customer_name", "order_name", "shop_name", "items", "ship_date", "keep_url", "cancel_url"] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

/** Placeholders each kind can fill (the consent links exist only in a delay notice). */
export const PLACEHOLDERS_OF: Record<EmailKind, readonly Placeholder[]> = {
  confirmation: ["customer_name", "order_name", "shop_name", "items", "ship_date"],
  date_changed: ["customer_name", "order_name", "shop_name", "items", "ship_date"],
  delay: PLACEHOLDERS,
  ready: ["customer_name", "order_name", "shop_name", "items"],
};

/** What a delay notice's body must contain: the law asks that the customer can consent or cancel. */
const REQUIRED_OF: Partial<Record<EmailKind, readonly Placeholder[]>> = { delay: ["keep_url", "cancel_url"] };

export const SUBJECT_MAX = 200;
export const BODY_MAX = 10_000;

const PLACEHOLDER_RE = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Problems with a merchant's template (empty: fine). */
export function templateProblems(kind: EmailKind, t: EmailText): { subject?: string; body?: string } {
  const problems: { subject?: string; body?: string } = {};
  const unknown = (s: string) =>
    [...s.matchAll(PLACEHOLDER_RE)].map((m) => m[1]!).filter((p) => !PLACEHOLDERS_OF[kind].includes(p as Placeholder));
  const subject = t.subject.trim();
  if (!subject) problems.subject = "The subject cannot be empty.";
  else if (subject.length > SUBJECT_MAX) problems.subject = `The subject is longer than ${SUBJECT_MAX} characters.`;
  else if (unknown(subject).length) problems.subject = `Unknown placeholder: {{${unknown(subject)[0]}}}.`;
  else if (/\{\{\s*items\s*\}\}/.test(subject)) problems.subject = "{{items}} is a list: use it in the body.";
  if (!t.body.trim()) problems.body = "The body cannot be empty.";
  else if (t.body.length > BODY_MAX) problems.body = `The body is longer than ${BODY_MAX} characters.`;
  else if (unknown(t.body).length)
    problems.body = `Unknown placeholder: {{${unknown(t.body)[0]}}}. Available: ${PLACEHOLDERS_OF[kind].map((p) => `{{${p}}}`).join(", ")}.`;
  else {
    const missing = (REQUIRED_OF[kind] ?? []).filter((p) => !new RegExp(`\\{\\{\\s*${p}\\s*\\}\\}`).test(t.body));
    if (missing.length) problems.body = `A delay notice must offer both answers: add ${missing.map((p) => `{{${p}}}`).join(" and ")}.`;
  }
  return problems;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A calendar date as the customer reads it ("15 décembre 2026"). */
export function formatEmailDate(date: string, language: EmailLanguage): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return date;
  return new Intl.DateTimeFormat(language, { dateStyle: "long", timeZone: "UTC" }).format(d);
}

interface Words {
  /** Stands in for a missing customer name ("Hello there,"); "" drops the name and its space. */
  noName: string;
  noDate: string;
  ships: string;
  keep: string;
  cancel: string;
}

const WORDS: Record<EmailLanguage, Words> = {
  en: { noName: "there", noDate: "date to be confirmed", ships: "ships", keep: "Keep my order", cancel: "Cancel this item for a refund" },
  fr: {
    noName: "",
    noDate: "date à confirmer",
    ships: "expédition prévue le",
    keep: "Je garde ma commande",
    cancel: "Annuler cet article et être remboursé",
  },
  de: {
    noName: "",
    noDate: "Datum folgt",
    ships: "Versand voraussichtlich am",
    keep: "Bestellung behalten",
    cancel: "Diesen Artikel stornieren und erstatten lassen",
  },
  es: {
    noName: "",
    noDate: "fecha por confirmar",
    ships: "envío previsto el",
    keep: "Mantener mi pedido",
    cancel: "Cancelar este artículo y recibir el reembolso",
  },
};

export const DEFAULT_TEMPLATES: Record<EmailLanguage, Record<EmailKind, EmailText>> = {
  en: {
    confirmation: {
      subject: "Your order {{order_name}}: expected ship date",
      body: "Hello {{customer_name}},\n\nThank you for your order {{order_name}}. Some items are on backorder; this is when we expect to ship them:\n\n{{items}}\n\nWe will write again if the date changes.\n\n{{shop_name}}",
    },
    date_changed: {
      subject: "Your order {{order_name}}: new ship date",
      body: "Hello {{customer_name}},\n\nThe expected ship date of the backordered items in your order {{order_name}} has changed:\n\n{{items}}\n\n{{shop_name}}",
    },
    delay: {
      subject: "Your order {{order_name}} is delayed",
      body: "Hello {{customer_name}},\n\nWe are sorry: we cannot ship the following item of your order {{order_name}} on time.\n\n{{items}}\n\nThe new expected ship date is {{ship_date}}. You may keep your order or cancel this item for a full refund of it:\n\nKeep my order: {{keep_url}}\nCancel this item for a refund: {{cancel_url}}\n\n{{shop_name}}",
    },
    ready: {
      subject: "Your order {{order_name}} is ready to ship",
      body: "Hello {{customer_name}},\n\nGood news: the backordered items of your order {{order_name}} are in stock and will ship soon.\n\n{{items}}\n\n{{shop_name}}",
    },
  },
  fr: {
    confirmation: {
      subject: "Votre commande {{order_name}} : date d'expédition prévue",
      body: "Bonjour {{customer_name}},\n\nMerci pour votre commande {{order_name}}. Certains articles sont en réapprovisionnement ; voici quand nous prévoyons de les expédier :\n\n{{items}}\n\nNous vous écrirons si la date change.\n\n{{shop_name}}",
    },
    date_changed: {
      subject: "Votre commande {{order_name}} : nouvelle date d'expédition",
      body: "Bonjour {{customer_name}},\n\nLa date d'expédition prévue des articles en réapprovisionnement de votre commande {{order_name}} a changé :\n\n{{items}}\n\n{{shop_name}}",
    },
    delay: {
      subject: "Votre commande {{order_name}} est retardée",
      body: "Bonjour {{customer_name}},\n\nNous sommes désolés : nous ne pouvons pas expédier à temps l'article suivant de votre commande {{order_name}}.\n\n{{items}}\n\nLa nouvelle date d'expédition prévue est le {{ship_date}}. Vous pouvez garder votre commande ou annuler cet article et être remboursé :\n\nJe garde ma commande : {{keep_url}}\nAnnuler cet article : {{cancel_url}}\n\n{{shop_name}}",
    },
    ready: {
      subject: "Votre commande {{order_name}} est prête à être expédiée",
      body: "Bonjour {{customer_name}},\n\nBonne nouvelle : les articles en réapprovisionnement de votre commande {{order_name}} sont en stock et seront bientôt expédiés.\n\n{{items}}\n\n{{shop_name}}",
    },
  },
  de: {
    confirmation: {
      subject: "Ihre Bestellung {{order_name}}: voraussichtliches Versanddatum",
      body: "Hallo {{customer_name}},\n\nvielen Dank für Ihre Bestellung {{order_name}}. Einige Artikel sind nachbestellt; so planen wir den Versand:\n\n{{items}}\n\nWir melden uns, falls sich das Datum ändert.\n\n{{shop_name}}",
    },
    date_changed: {
      subject: "Ihre Bestellung {{order_name}}: neues Versanddatum",
      body: "Hallo {{customer_name}},\n\ndas voraussichtliche Versanddatum der nachbestellten Artikel Ihrer Bestellung {{order_name}} hat sich geändert:\n\n{{items}}\n\n{{shop_name}}",
    },
    delay: {
      subject: "Ihre Bestellung {{order_name}} verzögert sich",
      body: "Hallo {{customer_name}},\n\nes tut uns leid: Den folgenden Artikel Ihrer Bestellung {{order_name}} können wir nicht rechtzeitig versenden.\n\n{{items}}\n\nDas neue voraussichtliche Versanddatum ist der {{ship_date}}. Sie können Ihre Bestellung behalten oder diesen Artikel gegen volle Erstattung stornieren:\n\nBestellung behalten: {{keep_url}}\nArtikel stornieren: {{cancel_url}}\n\n{{shop_name}}",
    },
    ready: {
      subject: "Ihre Bestellung {{order_name}} ist versandbereit",
      body: "Hallo {{customer_name}},\n\ngute Nachricht: Die nachbestellten Artikel Ihrer Bestellung {{order_name}} sind auf Lager und werden bald versandt.\n\n{{items}}\n\n{{shop_name}}",
    },
  },
  es: {
    confirmation: {
      subject: "Tu pedido {{order_name}}: fecha de envío prevista",
      body: "Hola {{customer_name}}:\n\nGracias por tu pedido {{order_name}}. Algunos artículos están bajo pedido; esta es la fecha en que prevemos enviarlos:\n\n{{items}}\n\nTe escribiremos si la fecha cambia.\n\n{{shop_name}}",
    },
    date_changed: {
      subject: "Tu pedido {{order_name}}: nueva fecha de envío",
      body: "Hola {{customer_name}}:\n\nLa fecha de envío prevista de los artículos bajo pedido de tu pedido {{order_name}} ha cambiado:\n\n{{items}}\n\n{{shop_name}}",
    },
    delay: {
      subject: "Tu pedido {{order_name}} se retrasa",
      body: "Hola {{customer_name}}:\n\nLo sentimos: no podemos enviar a tiempo el siguiente artículo de tu pedido {{order_name}}.\n\n{{items}}\n\nLa nueva fecha de envío prevista es el {{ship_date}}. Puedes mantener tu pedido o cancelar este artículo y recibir el reembolso completo:\n\nMantener mi pedido: {{keep_url}}\nCancelar este artículo: {{cancel_url}}\n\n{{shop_name}}",
    },
    ready: {
      subject: "Tu pedido {{order_name}} está listo para enviarse",
      body: "Hola {{customer_name}}:\n\nBuenas noticias: los artículos bajo pedido de tu pedido {{order_name}} ya están en stock y se enviarán pronto.\n\n{{items}}\n\n{{shop_name}}",
    },
  },
};

const itemLine = (i: EmailItem, kind: EmailKind, language: EmailLanguage) => {
  const date = i.shipDate ? formatEmailDate(i.shipDate, language) : WORDS[language].noDate;
  return kind === "ready" ? `${i.quantity} × ${i.title}` : `${i.quantity} × ${i.title} — ${WORDS[language].ships} ${date}`;
};

type Part = { text: string } | { link: string; label: string } | { list: string[] };

/** The template split into literal text and filled placeholders, shared by both parts. */
function fill(template: string, kind: EmailKind, language: EmailLanguage, data: EmailData): Part[] {
  const words = WORDS[language];
  const parts: Part[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER_RE)) {
    let before = template.slice(last, m.index);
    const name = m[1] as Placeholder;
    last = m.index + m[0].length;
    let value: Part;
    switch (name) {
      case "customer_name":
        if (!data.customerName?.trim() && !words.noName) before = before.replace(/[ \t]+$/, "");
        value = { text: data.customerName?.trim() || words.noName };
        break;
      case "order_name":
        value = { text: data.orderName };
        break;
      case "shop_name":
        value = { text: data.shopName };
        break;
      case "ship_date":
        value = { text: data.shipDate ? formatEmailDate(data.shipDate, language) : words.noDate };
        break;
      case "items":
        value = { list: data.items.map((i) => itemLine(i, kind, language)) };
        break;
      case "keep_url":
        value = data.keepUrl ? { link: data.keepUrl, label: words.keep } : { text: "" };
        break;
      case "cancel_url":
        value = data.cancelUrl ? { link: data.cancelUrl, label: words.cancel } : { text: "" };
        break;
      default:
        value = { text: m[0] }; // validated away before saving; shown as typed in a preview
    }
    parts.push({ text: before }, value);
  }
  parts.push({ text: template.slice(last) });
  return parts;
}

const asText = (parts: Part[]) =>
  parts.map((p) => ("list" in p ? p.list.map((l) => `- ${l}`).join("\n") : "link" in p ? p.link : p.text)).join("");

/** Paragraphs at blank lines, <br> at single newlines, a list where {{items}} stands; everything escaped. */
function asHtml(parts: Part[], language: EmailLanguage): string {
  const blocks: string[] = [];
  let run = "";
  const paragraphs = () => {
    for (const b of run.replace(/\r\n?/g, "\n").split(/\n{2,}/)) {
      if (b.trim()) blocks.push(`<p>${b.trim().replace(/\n/g, "<br>")}</p>`);
    }
    run = "";
  };
  for (const p of parts) {
    if ("list" in p) {
      paragraphs();
      blocks.push(`<ul>${p.list.map((l) => `<li>${escapeHtml(l)}</li>`).join("")}</ul>`);
    } else if ("link" in p) run += `<a href="${escapeHtml(p.link)}">${escapeHtml(p.label)}</a>`;
    else run += escapeHtml(p.text);
  }
  paragraphs();
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8"></head><body>${blocks.join("\n")}</body></html>`;
}

export function renderEmail(kind: EmailKind, language: EmailLanguage, template: EmailText, data: EmailData): RenderedEmail {
  // A subject is one header line: newlines in values or the template must not end it.
  const subject = asText(fill(template.subject, kind, language, data))
    .replace(/\s+/g, " ")
    .trim();
  const parts = fill(template.body, kind, language, data);
  return { subject, text: asText(parts).replace(/\r\n?/g, "\n"), html: asHtml(parts, language) };
}

/** Made-up data for the admin's preview. */
export function sampleEmailData(kind: EmailKind, shopName: string): EmailData {
  const items: EmailItem[] =
    kind === "delay"
      ? [{ title: "Linen Shirt - M", quantity: 1, shipDate: "2027-01-18" }]
      : [
          { title: "Linen Shirt - M", quantity: 2, shipDate: "2026-12-15" },
          { title: "Merino Beanie - Forest", quantity: 1, shipDate: "2026-12-22" },
        ];
  return {
    shopName,
    orderName: "#1042",
    customerName: "Ada Lovelace",
    items,
    shipDate: items[items.length - 1]!.shipDate,
    ...(kind === "delay"
      ? {
          keepUrl: `https://${shopName}/apps/backorder/consent/keep?t=sample`,
          cancelUrl: `https://${shopName}/apps/backorder/consent/cancel?t=sample`,
        }
      : {}),
  };
}

export const KIND_LABELS: Record<EmailKind, string> = {
  confirmation: "Backorder confirmation",
  date_changed: "Ship date changed",
  delay: "Delay notice (keep or cancel)",
  ready: "Ready to ship",
};

export const LANGUAGE_LABELS: Record<EmailLanguage, string> = { en: "English", fr: "Français", de: "Deutsch", es: "Español" };

export { EMAIL_KINDS, EMAIL_LANGUAGES };
