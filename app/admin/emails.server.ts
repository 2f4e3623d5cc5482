// The Emails page: the shop's opt-in and SMTP settings, its templates, and the outbox's state
// (failures with a retry). Every read and write is scoped to the shop.
import {
  EMAIL_KINDS,
  EMAIL_LANGUAGES,
  isEmailKind,
  isEmailLanguage,
  type EmailKind,
  type EmailLanguage,
} from "../backorder/customer-emails.ts";
import { appConfig, runtimeConfig } from "../config.server.ts";
import type { Db } from "../db/client.server.ts";
import { seal } from "../email/secret-box.ts";
import { DEFAULT_TEMPLATES, templateProblems, type EmailText } from "../email/templates.ts";
import { EMAIL_STATUS } from "../email/outbox-status.ts";

export interface EmailSettingsView {
  enabled: boolean;
  transport: "relay" | "smtp";
  smtpHost: string;
  smtpPort: string;
  smtpSecure: boolean;
  smtpUser: string;
  passwordSet: boolean;
  fromAddress: string;
  senderName: string;
  changeThresholdDays: number;
  delayLimitDays: number;
}

export type EmailSettingsField = Exclude<keyof EmailSettingsView, "passwordSet"> | "smtpPassword";

export async function loadEmailPage(db: Db, shop: string) {
  const [s, custom, counts, failed, recent] = await Promise.all([
    db.emailSettings.findUnique({ where: { shop } }),
    db.emailTemplate.findMany({ where: { shop } }),
    db.emailOutbox.groupBy({ by: ["status"], where: { shop }, _count: { _all: true } }),
    db.emailOutbox.findMany({ where: { shop, status: EMAIL_STATUS.failed }, orderBy: { id: "desc" }, take: 100 }),
    db.emailOutbox.findMany({ where: { shop, status: EMAIL_STATUS.sent }, orderBy: { sentAt: "desc" }, take: 20 }),
  ]);
  const orderNames = new Map(
    (
      await db.backorderLine.findMany({
        where: { shop, lineItemId: { in: [...failed, ...recent].map((r) => r.lineItemId) } },
        select: { lineItemId: true, orderName: true },
      })
    ).map((l) => [l.lineItemId, l.orderName]),
  );
  const settings: EmailSettingsView = {
    enabled: s?.enabled ?? false,
    transport: s?.transport === "smtp" ? "smtp" : "relay",
    smtpHost: s?.smtpHost ?? "",
    smtpPort: s?.smtpPort ? String(s.smtpPort) : "",
    smtpSecure: s?.smtpSecure ?? false,
    smtpUser: s?.smtpUser ?? "",
    passwordSet: Boolean(s?.smtpPasswordSealed),
    fromAddress: s?.fromAddress ?? "",
    senderName: s?.senderName ?? "",
    changeThresholdDays: s?.changeThresholdDays ?? 2,
    delayLimitDays: s?.delayLimitDays ?? 30,
  };
  const templates = {} as Record<EmailKind, Record<EmailLanguage, EmailText & { custom: boolean }>>;
  for (const kind of EMAIL_KINDS) {
    templates[kind] = {} as Record<EmailLanguage, EmailText & { custom: boolean }>;
    for (const lang of EMAIL_LANGUAGES) {
      const c = custom.find((t) => t.kind === kind && t.locale === lang);
      templates[kind][lang] = c ? { subject: c.subject, body: c.body, custom: true } : { ...DEFAULT_TEMPLATES[lang][kind], custom: false };
    }
  }
  const relay = runtimeConfig().email;
  const row = (r: (typeof failed)[number]) => ({
    id: r.id,
    kind: r.kind,
    orderName: orderNames.get(r.lineItemId) ?? r.orderId,
    promisedDate: r.promisedDate,
    attempts: r.attempts,
    lastError: r.lastError,
    recipient: r.recipient,
    subject: r.subject,
    sentAt: r.sentAt?.toISOString() ?? null,
    updatedAt: r.updatedAt.toISOString(),
  });
  return {
    shop,
    settings,
    relay: { configured: Boolean(relay.smtpUrl), from: relay.from ?? null },
    templates,
    counts: Object.fromEntries(counts.map((c) => [c.status, c._count._all])) as Record<string, number>,
    failed: failed.map(row),
    recent: recent.map(row),
  };
}

const HOST = /^[A-Za-z0-9.-]{1,253}$|^\[[0-9A-Fa-f:.]+\]$/;
const ADDRESS = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$|^[^\s@<>"]+@(?:localhost|127\.0\.0\.1)$/;

const wholeDays = (raw: string | null, min: number, max: number): number | null => {
  if (raw === null || !/^\d{1,4}$/.test(raw.trim())) return null;
  const n = Number(raw.trim());
  return n >= min && n <= max ? n : null;
};

/** Saves the settings, or names every problem and changes nothing. A blank password keeps the stored one. */
export async function saveEmailSettings(
  db: Db,
  shop: string,
  form: FormData,
): Promise<{ ok: true } | { ok: false; errors: Partial<Record<EmailSettingsField, string>> }> {
  const get = (k: string) => (typeof form.get(k) === "string" ? (form.get(k) as string) : null);
  const errors: Partial<Record<EmailSettingsField, string>> = {};
  const enabled = get("enabled") === "on" || get("enabled") === "true";
  const transport = get("transport") === "smtp" ? "smtp" : "relay";
  const host = (get("smtpHost") ?? "").trim();
  const portRaw = (get("smtpPort") ?? "").trim();
  const user = (get("smtpUser") ?? "").trim();
  const password = get("smtpPassword") ?? "";
  const from = (get("fromAddress") ?? "").trim();
  const senderName = (get("senderName") ?? "").trim().replace(/[\r\n"\\<>]/g, "");
  const threshold = wholeDays(get("changeThresholdDays"), 1, 365);
  const limit = wholeDays(get("delayLimitDays"), 1, 365);
  if (threshold === null) errors.changeThresholdDays = "A whole number of days from 1 to 365.";
  if (limit === null) errors.delayLimitDays = "A whole number of days from 1 to 365.";
  if (senderName.length > 100) errors.senderName = "At most 100 characters.";
  if (from && (!ADDRESS.test(from) || from.length > 254)) errors.fromAddress = "An email address, like orders@your-shop.com.";
  let port: number | null = null;
  if (transport === "smtp") {
    if (!HOST.test(host)) errors.smtpHost = "The SMTP server's host name, like smtp.your-provider.com.";
    if (portRaw) {
      port = /^\d{1,5}$/.test(portRaw) && Number(portRaw) >= 1 && Number(portRaw) <= 65535 ? Number(portRaw) : null;
      if (port === null) errors.smtpPort = "A port from 1 to 65535 (usually 587, or 465 with SSL).";
    }
    if (!from) errors.fromAddress = "Your own SMTP server needs a From address.";
  } else if (enabled && !runtimeConfig().email.smtpUrl) {
    errors.transport = "The app has no mail relay configured (SMTP_URL): use your own SMTP server.";
  }
  if (enabled && !from && !runtimeConfig().email.from) errors.fromAddress = "Set a From address.";
  if (Object.keys(errors).length) return { ok: false, errors };
  const data = {
    enabled,
    transport,
    smtpHost: host || null,
    smtpPort: port,
    smtpSecure: get("smtpSecure") === "on" || get("smtpSecure") === "true",
    smtpUser: user || null,
    fromAddress: from || null,
    senderName: senderName || null,
    changeThresholdDays: threshold!,
    delayLimitDays: limit!,
    ...(password ? { smtpPasswordSealed: seal(password, appConfig().apiSecret) } : {}),
    ...(user ? {} : { smtpPasswordSealed: null }),
  };
  await db.emailSettings.upsert({ where: { shop }, create: { shop, ...data }, update: data });
  return { ok: true };
}

/** Saves the shop's own subject and body for one kind and language. */
export async function saveEmailTemplate(
  db: Db,
  shop: string,
  kind: string,
  language: string,
  text: EmailText,
): Promise<{ ok: true } | { ok: false; errors: { subject?: string; body?: string; kind?: string } }> {
  if (!isEmailKind(kind) || !isEmailLanguage(language)) return { ok: false, errors: { kind: "Unknown email or language." } };
  const t = { subject: text.subject.trim(), body: text.body.replace(/\r\n?/g, "\n") };
  const errors = templateProblems(kind, t);
  if (Object.keys(errors).length) return { ok: false, errors };
  await db.emailTemplate.upsert({
    where: { shop_kind_locale: { shop, kind, locale: language } },
    create: { shop, kind, locale: language, ...t },
    update: t,
  });
  return { ok: true };
}

/** Back to the default text. */
export async function resetEmailTemplate(db: Db, shop: string, kind: string, language: string): Promise<void> {
  await db.emailTemplate.deleteMany({ where: { shop, kind, locale: language } });
}
