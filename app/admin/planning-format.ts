// How the planning pages word their numbers, and their query parameters (client-safe:
// the route components import this, never planning.server.ts).
import type { RiskReason } from "../backorder/planning.ts";

export const RISK_LABELS: Record<RiskReason, string> = {
  "promise-passed": "Promised date passed",
  "outgrows-next-batch": "Queue outgrows next batch",
  "no-restock-date": "No restock date",
};

/** A location of the per-location breakdown (decision 0032): its Shopify id; null: units at no location yet. */
export const locationLabel = (locationId: string | null): string => (locationId === null ? "Not placed yet" : `Location ${locationId}`);

/** Projected units (fractional with demand rates and shared batches): whole units. */
export const formatUnits = (n: number): string => Math.round(n).toLocaleString("en-US");

/** Units per day: one decimal below 10, whole above. */
export const formatRate = (perDay: number): string => (perDay >= 10 ? String(Math.round(perDay)) : perDay.toFixed(1));

/** "↑ 25%" / "↓ 10%" / "→" (within ±5%); "" without a month's demand. */
export function formatTrend(trend: number | null): string {
  if (trend === null) return "";
  if (Math.abs(trend) < 0.05) return "→";
  return `${trend > 0 ? "↑" : "↓"} ${Math.round(Math.abs(trend) * 100)}%`;
}

export type PlanningFilter = "all" | "at-risk" | "to-order" | RiskReason;
export const PLANNING_FILTERS: PlanningFilter[] = [
  "all",
  "at-risk",
  "to-order",
  "promise-passed",
  "outgrows-next-batch",
  "no-restock-date",
];

export const COVER_DAYS_DEFAULT = 30;
export const COVER_DAYS_MAX = 365;

/** `?cover=` days of demand to order for: 0..365, else the default. */
export const parseCoverDays = (raw: string | null): number => {
  const n = Number(raw);
  return raw !== null && /^\d+$/.test(raw) && n <= COVER_DAYS_MAX ? n : COVER_DAYS_DEFAULT;
};
