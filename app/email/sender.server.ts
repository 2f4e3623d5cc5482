// The worker's email loop: claims due outbox rows, builds each message from the line as it is
// now (in the customer's language, with the shop's template), and sends it over SMTP with
// nodemailer. A failure retries with backoff; after MAX_EMAIL_ATTEMPTS the row is `failed` and
// shown on the Emails page with a retry. It runs on its own loop: a slow or broken SMTP server
// never holds up the queue, and nothing here fails engine work.
import nodemailer, { type SendMailOptions } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import {
  emailLanguage,
  emailRetryDelayMs,
  groupsByOrder,
  isEmailKind,
  MAX_EMAIL_ATTEMPTS,
  nextDateChangeAt,
  type EmailKind,
} from "../backorder/customer-emails.ts";
import type { Db } from "../db/client.server.ts";
import { appConfig, runtimeConfig } from "../config.server.ts";
import { consentLinks } from "../consent/consent-links.server.ts";
import { DEFAULT_TEMPLATES, renderEmail, type EmailItem } from "./templates.ts";
import { unseal } from "./secret-box.ts";
import { DATE_KINDS, lastDateChangeSent } from "./outbox.server.ts";
import { EMAIL_STATUS } from "./outbox-status.ts";
import { LINE_STATE } from "../backorder/line-state.ts";

/** A claimed row is another sender's again after this long (a sender that died mid-send). */
const SEND_LEASE_MS = 5 * 60_000;
const ERROR_MAX = 500;

type Row = Awaited<ReturnType<Db["emailOutbox"]["findMany"]>>[number];
type Settings = NonNullable<Awaited<ReturnType<Db["emailSettings"]["findUnique"]>>>;

export interface SendResult {
  sent: number;
  retrying: number;
  failed: number;
  skipped: number;
}

export interface Mailer {
  send(message: SendMailOptions): Promise<unknown>;
  close(): void;
}

export class EmailSetupError extends Error {
  override name = "EmailSetupError";
}

/** The shop's own SMTP server, else the app's relay (SMTP_URL); and the From address. */
export function mailerFor(settings: Settings): { mailer: Mailer; from: string } {
  const relay = runtimeConfig().email;
  let options: SMTPTransport.Options | string;
  if (settings.transport === "smtp") {
    if (!settings.smtpHost) throw new EmailSetupError("The shop's SMTP server has no host: set it on the Emails page.");
    options = {
      host: settings.smtpHost,
      port: settings.smtpPort ?? (settings.smtpSecure ? 465 : 587),
      secure: settings.smtpSecure,
      auth: settings.smtpUser
        ? { user: settings.smtpUser, pass: settings.smtpPasswordSealed ? unseal(settings.smtpPasswordSealed, appConfig().apiSecret) : "" }
        : undefined,
      connectionTimeout: 20_000,
      greetingTimeout: 20_000,
      socketTimeout: 60_000,
    };
  } else {
    if (!relay.smtpUrl) throw new EmailSetupError("No SMTP server: set the shop's own on the Emails page, or SMTP_URL for the app.");
    options = relay.smtpUrl;
  }
  const address = settings.fromAddress ?? (settings.transport === "smtp" ? undefined : relay.from);
  if (!address) throw new EmailSetupError("No From address: set it on the Emails page (or EMAIL_FROM for the relay).");
  const from = settings.senderName && !address.includes("<") ? { name: settings.senderName, address } : address;
  const transport = nodemailer.createTransport(options);
  return {
    mailer: { send: (m) => transport.sendMail(m), close: () => transport.close() },
    from: typeof from === "string" ? from : `"${from.name.replace(/["\\\r\n]/g, "")}" <${from.address}>`,
  };
}

/** Claims due rows: pending and due, or `sending` under a lease that ran out. */
async function claim(db: Db, now: Date, batchSize: number): Promise<Row[]> {
  const due = {
    OR: [
      { status: EMAIL_STATUS.pending, dueAt: { lte: now } },
      { status: EMAIL_STATUS.sending, lockedUntil: { lt: now } },
    ],
  };
  const rows = await db.emailOutbox.findMany({ where: due, orderBy: [{ dueAt: "asc" }, { id: "asc" }], take: batchSize });
  const mine: Row[] = [];
  for (const r of rows) {
    // One conditional update per row: of two senders, exactly one gets it.
    const c = await db.emailOutbox.updateMany({
      where: { id: r.id, ...due },
      data: { status: EMAIL_STATUS.sending, lockedUntil: new Date(now.getTime() + SEND_LEASE_MS), attempts: { increment: 1 } },
    });
    if (c.count === 1) mine.push({ ...r, attempts: r.attempts + 1 });
  }
  return mine;
}

const finish = (db: Db, rows: Row[], status: typeof EMAIL_STATUS.skipped | typeof EMAIL_STATUS.superseded, why: string) =>
  rows.length
    ? db.emailOutbox.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { status, lockedUntil: null, lastError: why } })
    : null;

/** Sends what is due, all shops. */
export async function sendDueEmails(
  db: Db,
  opts: { now?: () => Date; batchSize?: number; mailerFor?: typeof mailerFor } = {},
): Promise<SendResult> {
  const now = opts.now ?? (() => new Date());
  const result: SendResult = { sent: 0, retrying: 0, failed: 0, skipped: 0 };
  const claimed = await claim(db, now(), opts.batchSize ?? 100);
  const groups = new Map<string, Row[]>();
  for (const r of claimed) {
    const key = isEmailKind(r.kind) && groupsByOrder(r.kind) ? `${r.shop}|${r.orderId}|${r.kind}` : `${r.id}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const mailers = new Map<string, { mailer: Mailer; from: string } | Error>();
  try {
    for (const rows of groups.values()) {
      await sendGroup(db, rows, now(), mailers, opts.mailerFor ?? mailerFor, result);
    }
  } finally {
    for (const m of mailers.values()) if (!(m instanceof Error)) m.mailer.close();
  }
  return result;
}

async function sendGroup(
  db: Db,
  claimed: Row[],
  now: Date,
  mailers: Map<string, { mailer: Mailer; from: string } | Error>,
  makeMailer: typeof mailerFor,
  result: SendResult,
) {
  const { shop, orderId } = claimed[0]!;
  const kind = claimed[0]!.kind as EmailKind;
  const settings = await db.emailSettings.findUnique({ where: { shop } });
  if (!isEmailKind(kind) || !settings?.enabled) {
    await finish(db, claimed, EMAIL_STATUS.skipped, "emails are off for the shop");
    result.skipped += claimed.length;
    return;
  }
  const lines = await db.backorderLine.findMany({ where: { shop, lineItemId: { in: claimed.map((r) => r.lineItemId) } } });
  const lineOf = new Map(lines.map((l) => [l.lineItemId, l]));
  const newer = kind === "date_changed" || kind === "delay" ? await newerNews(db, shop, claimed) : new Set<number>();
  const moot: Row[] = [];
  const stale: Row[] = [];
  const rows = claimed.filter((r) => {
    const l = lineOf.get(r.lineItemId);
    // The line moved on: cancelled, shipped, or (for a date) no longer waiting; or its customer is gone.
    const live =
      l &&
      l.customerEmail &&
      (kind === "ready" ? l.state === LINE_STATE.allocated || l.state === LINE_STATE.fulfilled : l.state === LINE_STATE.waiting);
    if (!live) moot.push(r);
    // The line's date moved again and that has its own email coming, or a confirmation told it since.
    else if (newer.has(r.id)) stale.push(r);
    return live && !newer.has(r.id);
  });
  await finish(db, moot, EMAIL_STATUS.skipped, "nothing to tell: the line moved on or has no email address");
  await finish(db, stale, EMAIL_STATUS.superseded, "a later email tells the line's date");
  result.skipped += moot.length + stale.length;
  if (rows.length === 0) return;

  if (kind === "date_changed") {
    const next = nextDateChangeAt((await lastDateChangeSent(db, shop, [orderId])).get(orderId) ?? null, now);
    if (next > now) {
      // At most one a day per order: back in line for tomorrow, without counting an attempt.
      await db.emailOutbox.updateMany({
        where: { id: { in: rows.map((r) => r.id) } },
        data: { status: EMAIL_STATUS.pending, dueAt: next, lockedUntil: null, attempts: { decrement: 1 } },
      });
      return;
    }
  }

  const first = lineOf.get(rows[0]!.lineItemId)!;
  const [shopSettings, orderLocale] = await Promise.all([
    db.shopSettings.findUnique({ where: { shop }, select: { locale: true } }),
    db.orderLocale.findUnique({ where: { shop_orderId: { shop, orderId } } }),
  ]);
  const language = emailLanguage(orderLocale?.locale, shopSettings?.locale);
  const template =
    (await db.emailTemplate.findUnique({
      where: { shop_kind_locale: { shop, kind, locale: language } },
      select: { subject: true, body: true },
    })) ?? DEFAULT_TEMPLATES[language][kind];
  const items: EmailItem[] = rows.map((r) => {
    const l = lineOf.get(r.lineItemId)!;
    return {
      title: l.title,
      quantity: kind === "ready" ? l.openQuantity : l.waitingQuantity || l.openQuantity,
      // The date as it is now: a move too small to email about since the row was written still shows.
      shipDate: kind === "ready" ? r.promisedDate || null : (l.promisedShipDate ?? (r.promisedDate || null)),
    };
  });
  const dates = items.map((i) => i.shipDate).filter((d): d is string => d !== null);
  // The consent is to the date the notice shows.
  const links =
    kind === "delay" && items[0]!.shipDate
      ? consentLinks({ shop, lineItemId: rows[0]!.lineItemId, promisedDate: items[0]!.shipDate, language, now })
      : null;
  const email = renderEmail(kind, language, template, {
    shopName: settings.senderName || shop.replace(/\.myshopify\.com$/, ""),
    orderName: first.orderName,
    customerName: first.customerName,
    items,
    shipDate: dates.sort().at(-1) ?? null,
    ...(links ? { keepUrl: links.keepUrl, cancelUrl: links.cancelUrl } : {}),
  });
  const recipient = first.customerEmail!;

  let m = mailers.get(shop);
  if (!m) {
    try {
      m = makeMailer(settings);
    } catch (e) {
      m = e as Error;
    }
    mailers.set(shop, m);
  }
  try {
    if (m instanceof Error) throw m;
    await m.mailer.send({
      from: m.from,
      to: recipient,
      subject: email.subject,
      text: email.text,
      html: email.html,
      headers: { "Content-Language": language },
    });
  } catch (e) {
    const error = String((e as Error)?.message ?? e).slice(0, ERROR_MAX);
    for (const r of rows) {
      const last = r.attempts >= MAX_EMAIL_ATTEMPTS;
      await db.emailOutbox.update({
        where: { id: r.id },
        data: last
          ? { status: EMAIL_STATUS.failed, lockedUntil: null, lastError: error }
          : {
              status: EMAIL_STATUS.pending,
              lockedUntil: null,
              lastError: error,
              dueAt: new Date(now.getTime() + emailRetryDelayMs(r.attempts)),
            },
      });
      if (last) result.failed++;
      else result.retrying++;
    }
    return;
  }
  await db.emailOutbox.updateMany({
    where: { id: { in: rows.map((r) => r.id) } },
    data: {
      status: EMAIL_STATUS.sent,
      sentAt: now,
      lockedUntil: null,
      lastError: null,
      recipient,
      locale: language,
      subject: email.subject,
      body: email.text,
    },
  });
  result.sent += rows.length;
}

/**
 * Date rows with later news for their line: a newer date row still to go, or (for "date
 * changed") a confirmation sent since the row was written, which showed the line's date then.
 */
async function newerNews(db: Db, shop: string, rows: Row[]): Promise<Set<number>> {
  const later = await db.emailOutbox.findMany({
    where: {
      shop,
      lineItemId: { in: rows.map((r) => r.lineItemId) },
      kind: { in: DATE_KINDS },
      OR: [
        { status: { in: [EMAIL_STATUS.pending, EMAIL_STATUS.sending] }, id: { gt: Math.min(...rows.map((r) => r.id)) } },
        { kind: "confirmation", status: EMAIL_STATUS.sent },
      ],
    },
    select: { id: true, lineItemId: true, kind: true, status: true, sentAt: true },
  });
  const out = new Set<number>();
  for (const r of rows) {
    const superseding = later.some(
      (x) =>
        x.lineItemId === r.lineItemId &&
        x.id !== r.id &&
        ((x.id > r.id && x.status !== EMAIL_STATUS.sent) ||
          (r.kind === "date_changed" && x.kind === "confirmation" && x.sentAt! >= r.createdAt)),
    );
    if (superseding) out.add(r.id);
  }
  return out;
}

/** The merchant's retry: failed rows of the shop (or those named) go out again at once. */
export async function retryFailedEmails(db: Db, shop: string, ids?: number[], now = new Date()): Promise<number> {
  const r = await db.emailOutbox.updateMany({
    where: { shop, status: EMAIL_STATUS.failed, ...(ids ? { id: { in: ids } } : {}) },
    data: { status: EMAIL_STATUS.pending, attempts: 0, dueAt: now, lastError: null },
  });
  return r.count;
}
