// Which email a backordered line's customer gets, and when: the rules of
// docs/decisions/0014-customer-emails.md as plain functions (the outbox and the sender in
// app/email apply them). Dates are shop-local calendar days, YYYY-MM-DD.
import { addDays } from "./eta.ts";

export const EMAIL_KINDS = ["confirmation", "date_changed", "delay", "ready"] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];

export const EMAIL_LANGUAGES = ["en", "fr", "de", "es"] as const;
export type EmailLanguage = (typeof EMAIL_LANGUAGES)[number];

export const isEmailKind = (v: unknown): v is EmailKind => (EMAIL_KINDS as readonly unknown[]).includes(v);
export const isEmailLanguage = (v: unknown): v is EmailLanguage => (EMAIL_LANGUAGES as readonly unknown[]).includes(v);

/** Shopify locales are "fr", "fr-CA", "pt-BR"...: the language is the first part. */
const languageOf = (locale: string | null | undefined): EmailLanguage | null => {
  const primary = (locale ?? "").trim().toLowerCase().split(/[-_]/)[0];
  return isEmailLanguage(primary) ? primary : null;
};

/** The customer's language when we write it, else the shop's, else English. */
export const emailLanguage = (customerLocale: string | null | undefined, shopLocale: string | null | undefined): EmailLanguage =>
  languageOf(customerLocale) ?? languageOf(shopLocale) ?? "en";

const DAY_MS = 86_400_000;
/** Whole days from a to b (negative when b is earlier). */
export const daysBetween = (a: string, b: string): number =>
  Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);

export interface DateMove {
  /** The date the line carried before (null: its first date). */
  before: string | null;
  /** The date we last emailed the customer about for this line (null: none). */
  told: string | null;
  /** The line's new promised date. */
  now: string | null;
  /** The shop's today. */
  today: string;
  /** The shop-local day the order was placed. */
  orderedOn: string;
  thresholdDays: number;
  limitDays: number;
}

/**
 * The email a move of a waiting line's promised date calls for, or null.
 * - First date: confirmation, or straight a delay notice when it is already past the limit.
 * - The date the customer knows has passed, or the new date is later and past the limit
 *   (the order day + limitDays): a delay notice (with the links to keep or cancel).
 * - Otherwise a move of at least thresholdDays from the date the customer knows: date changed.
 */
export function dateEmailFor(m: DateMove): EmailKind | null {
  if (m.now === null) return null;
  const limit = addDays(m.orderedOn, m.limitDays);
  const known = m.told ?? m.before;
  if (known === null) return m.now > limit ? "delay" : "confirmation";
  if (m.now === known) return null;
  if (known < m.today && m.now > known) return "delay";
  if (m.now > limit && m.now > known) return "delay";
  return Math.abs(daysBetween(known, m.now)) >= Math.max(1, m.thresholdDays) ? "date_changed" : null;
}

/** "Date changed" at most once a day per order: when the next one may go. */
export function nextDateChangeAt(lastSentAt: Date | null, now: Date): Date {
  if (!lastSentAt) return now;
  const next = lastSentAt.getTime() + DAY_MS;
  return next > now.getTime() ? new Date(next) : now;
}

/** One email per order for these kinds (a line each in it); a delay notice is per line (its links name the line). */
export const groupsByOrder = (kind: EmailKind): boolean => kind !== "delay";

export const MAX_EMAIL_ATTEMPTS = 6;
const FIRST_RETRY_MS = 60_000;
const LAST_RETRY_MS = 3_600_000;

/** Wait before attempt n+1 after n failed ones: 1 min doubling, at most an hour. */
export const emailRetryDelayMs = (failedAttempts: number): number =>
  Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, Math.min(failedAttempts - 1, 20)));
