// CSV cells for spreadsheets: RFC 4180 quoting, and a guard against formula injection
// (a customer named "=HYPERLINK(...)" must stay text when the merchant opens the file).
// OWASP's advice: a leading apostrophe on any cell a spreadsheet would read as a formula,
// which Excel, Sheets and LibreOffice then show as typed. A cell is guarded at every point
// a reader may start a new cell: its start, and after a separator inside it (Excel in
// many locales splits on ";", some imports on tabs or ignore quotes), so "Ann;=1+1" cannot
// become a formula cell either.

const LEADING_RISK = /^[=+\-@\t\r,;]/;
const FORMULA_AFTER_SEPARATOR = /(?<=[,;\t\r\n])(?=[=+\-@])/g;
const NEEDS_QUOTES = /[",;\t\r\n]/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const guarded = value.replace(FORMULA_AFTER_SEPARATOR, "'");
  const text = LEADING_RISK.test(value) ? `'${guarded}` : guarded;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvRow = (cells: (string | number | null | undefined)[]): string => `${cells.map(csvCell).join(",")}\r\n`;
