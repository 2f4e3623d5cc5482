// CSV cells for spreadsheets: RFC 4180 quoting, and a guard against formula injection
// (a customer named "=HYPERLINK(...)" must stay text when the merchant opens the file).

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  // A leading apostrophe makes Excel, Sheets and LibreOffice show the text as typed.
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvRow = (cells: (string | number | null | undefined)[]): string => `${cells.map(csvCell).join(",")}\r\n`;
