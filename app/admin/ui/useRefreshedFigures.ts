// A page shown from a stale figures snapshot reloads its data once, a few seconds later, when
// the server has started recomputing it: the merchant sees current figures without a reload.
import { useEffect } from "react";
import { useRevalidator } from "@remix-run/react";

export const REFRESH_RELOAD_MS = 3_000;

export function useRefreshedFigures(refreshing: boolean): void {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!refreshing) return;
    const timer = setTimeout(() => revalidator.revalidate(), REFRESH_RELOAD_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per stale load, not on each revalidator state
  }, [refreshing]);
}
