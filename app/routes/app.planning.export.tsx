// Supplier export: what to order per variant, as CSV (a resource route: no UI).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireShop } from "../auth/require-shop.server.ts";
import { db } from "../db/client.server.ts";
import { parseCoverDays } from "../admin/planning-format.ts";
import { supplierCsv, supplierFileName } from "../admin/supplier-export.server.ts";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireShop(request);
  const now = new Date();
  const coverDays = parseCoverDays(new URL(request.url).searchParams.get("cover"));
  return new Response(await supplierCsv(db(), shop, coverDays, now), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${supplierFileName(now)}"`,
      "Cache-Control": "no-store",
    },
  });
};
