// How the planning pages word their numbers.
import type { RiskReason } from "../backorder/planning.ts";

export const RISK_LABELS: Record<RiskReason, string> = {
  "promise-passed": "Promised date passed",
  "outgrows-next-batch": "Queue outgrows next batch",
  "no-restock-date": "No restock date",
};

/** Units per day: one decimal below 10, whole above. */
export const formatRate = (perDay: number): string => (perDay >= 10 ? String(Math.round(perDay)) : perDay.toFixed(1));

/** "↑ 25%" / "↓ 10%" / "→" (within ±5%); "" without a month's demand. */
export function formatTrend(trend: number | null): string {
  if (trend === null) return "";
  if (Math.abs(trend) < 0.05) return "→";
  return `${trend > 0 ? "↑" : "↓"} ${Math.round(Math.abs(trend) * 100)}%`;
}
