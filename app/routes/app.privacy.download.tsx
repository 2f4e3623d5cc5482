// The data to send for one data request, as a file (a resource route: no UI).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireShop } from "../auth/require-shop.server.ts";
import { db } from "../db/client.server.ts";
import { customerDataCsv, customerDataFor, customerDataJson } from "../admin/data-requests.server.ts";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireShop(request);
  const params = new URL(request.url).searchParams;
  const id = Number(params.get("request"));
  const format = params.get("format") === "csv" ? "csv" : "json";
  const data = Number.isSafeInteger(id) && id > 0 ? await customerDataFor(db(), shop, id) : null;
  if (!data)
    return new Response("No such data request in this shop", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const body = format === "csv" ? customerDataCsv(data) : customerDataJson(data);
  return new Response(body, {
    headers: {
      "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="customer-data-request-${id}.${format}"`,
      "Cache-Control": "no-store",
    },
  });
};
