/** @jsxImportSource preact */
// The block itself: a heading, one line per backordered item with its date in the customer's
// language (the extension's locales/*.json; dates through Shopify's i18n.formatDate), and
// nothing at all when the order has no backordered item.
import type { PromiseRow } from "./promise.ts";

export interface PromiseI18n {
  translate: (key: string, options?: Record<string, string | number>) => string;
  formatDate: (date: Date, options?: Intl.DateTimeFormatOptions) => string;
}

// A calendar day: formatted at UTC noon in UTC, so no time zone moves it to the day before.
const dayOf = (date: string) => new Date(`${date}T12:00:00Z`);
const DATE_FORMAT: Intl.DateTimeFormatOptions = { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" };

export function rowText(row: PromiseRow, i18n: PromiseI18n): string {
  const base = { title: row.title, quantity: row.quantity };
  if (row.state === "ready") return i18n.translate("ready", base);
  if (row.date === null) return i18n.translate("waitingNoDate", base);
  return i18n.translate("waiting", { ...base, date: i18n.formatDate(dayOf(row.date), DATE_FORMAT) });
}

export function PromiseList({ rows, i18n, live }: { rows: PromiseRow[]; i18n: PromiseI18n; live: boolean }) {
  if (rows.length === 0) return null;
  return (
    <s-stack gap="small-200">
      <s-heading>{i18n.translate("heading")}</s-heading>
      <s-paragraph>{i18n.translate("intro")}</s-paragraph>
      <s-unordered-list>
        {rows.map((row, i) => (
          <s-list-item key={i}>{rowText(row, i18n)}</s-list-item>
        ))}
      </s-unordered-list>
      {live ? <s-paragraph>{i18n.translate("updated")}</s-paragraph> : null}
    </s-stack>
  );
}
