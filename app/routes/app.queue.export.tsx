// CSV download of the queue with the page's filters (a resource route: no UI).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireShop } from "../auth/require-shop.server.ts";
import { db } from "../db/client.server.ts";
import { csvFileName, queueCsvStream } from "../admin/queue-export.server.ts";
import { parseQueueQuery } from "../admin/queue-query.ts";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireShop(request);
  const now = new Date();
  const query = parseQueueQuery(new URL(request.url).searchParams);
  return new Response(queueCsvStream(db(), shop, query, now), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${csvFileName(now)}"`,
      "Cache-Control": "no-store",
    },
  });
};
