// Display helpers shared by the admin pages (pure; no locale from the browser, so the
// server and client render the same text).

export function formatMoney(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

/** "3.2 days", "5 h", "12 min". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "—";
  if (seconds >= 86_400) return `${(seconds / 86_400).toFixed(1)} days`;
  if (seconds >= 3_600) return `${Math.round(seconds / 3_600)} h`;
  return `${Math.max(0, Math.round(seconds / 60))} min`;
}

export const formatPercent = (ratio: number | null): string => (ratio === null ? "—" : `${(ratio * 100).toFixed(1)}%`);

export const formatCount = (n: number): string => n.toLocaleString("en-US");

/** "Dec 16, 2026" from YYYY-MM-DD (calendar dates carry no time zone). */
export function formatCalendarDate(date: string | null): string {
  if (!date) return "—";
  const d = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(d.getTime())
    ? date
    : d.toLocaleDateString("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });
}

export const ageInDays = (orderedAt: Date, now: Date): number =>
  Math.max(0, Math.floor((now.getTime() - orderedAt.getTime()) / 86_400_000));

/** "figures as of just now", "figures as of 4 min ago (updating)": how old a figures snapshot is. */
export function formatFiguresAge({ seconds, refreshing }: { seconds: number; refreshing: boolean }): string {
  const age = seconds < 60 ? "just now" : seconds < 3_600 ? `${Math.floor(seconds / 60)} min ago` : `${Math.floor(seconds / 3_600)} h ago`;
  return `figures as of ${age}${refreshing ? " (updating)" : ""}`;
}
