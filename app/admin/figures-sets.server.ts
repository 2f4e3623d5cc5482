// The figure sets a shop's snapshots hold, by key (figures-snapshot.server.ts): what each key
// computes, and which keys the worker keeps warm for a shop (decision 0032): the ones the
// dashboard and the planning page load with their default parameters (weekly chart in the
// shop's currency, 30 days of cover), and any other one a merchant has viewed (it has a row).
import type { Db } from "../db/client.server.ts";
import { dashboardKey, loadDashboard } from "./metrics.server.ts";
import { COVER_DAYS_MAX, COVER_DAYS_DEFAULT } from "./planning-format.ts";
import { loadPlans, plansKey } from "./planning.server.ts";
import { loadShopDefaults } from "./shop-context.server.ts";

export type FigureSet = (now: Date) => Promise<unknown>;

/** What `key` computes for `shop`; null for a key this version does not know (left alone). */
export function figureSetOf(client: Db, shop: string, key: string): FigureSet | null {
  const dashboard = /^dashboard:(day|week):([^:]+)$/.exec(key);
  if (dashboard) {
    const granularity = dashboard[1] as "day" | "week";
    const shopCurrency = dashboard[2]!;
    return (now) => loadDashboard(client, shop, { now, granularity, shopCurrency });
  }
  const plans = /^plans:(\d{1,3})$/.exec(key);
  if (plans && Number(plans[1]) <= COVER_DAYS_MAX) {
    const coverDays = Number(plans[1]);
    return (now) => loadPlans(client, shop, now, coverDays);
  }
  return null;
}

/** The keys the pages load by default for a shop whose currency is `currency`. */
export const defaultKeysFor = (currency: string): string[] => [dashboardKey("week", currency), plansKey(COVER_DAYS_DEFAULT)];

/** The keys the pages load by default for `shop`. */
export async function defaultKeysOf(client: Db, shop: string): Promise<string[]> {
  return defaultKeysFor((await loadShopDefaults(client, shop)).currency);
}

/** The default keys and every key the shop has a snapshot of (viewed with other parameters), known ones only. */
export async function keysToWarm(client: Db, shop: string): Promise<string[]> {
  const [defaults, rows] = await Promise.all([
    defaultKeysOf(client, shop),
    client.figuresSnapshot.findMany({ where: { shop }, select: { key: true } }),
  ]);
  return [...new Set([...defaults, ...rows.map((r) => r.key)])].filter((k) => figureSetOf(client, shop, k) !== null);
}
