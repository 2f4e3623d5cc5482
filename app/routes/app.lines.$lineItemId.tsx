// One queue line's history: state changes and the customer's answers to delay notices.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, IndexTable, Page, Text } from "@shopify/polaris";
import { requireShop } from "../auth/require-shop.server.ts";
import { db } from "../db/client.server.ts";
import { loadLineHistory } from "../admin/line-history.server.ts";
import { RouteError } from "../admin/ui/RouteError.tsx";

export const meta: MetaFunction = () => [{ title: "Line history · Backorder Queue" }];

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireShop(request);
  const history = await loadLineHistory(db(), shop, params.lineItemId ?? "");
  if (!history) throw new Response("No such line in this shop's queue", { status: 404 });
  return json({ history });
};

export default function LineHistoryPage() {
  const { history } = useLoaderData<typeof loader>();
  return (
    <Page
      title={`${history.orderName} · ${history.title}`}
      subtitle={`${history.quantity} ordered · ${history.state}`}
      backAction={{ content: "Queue", url: "/app/queue" }}
    >
      <Card padding="0">
        <IndexTable
          resourceName={{ singular: "event", plural: "events" }}
          itemCount={history.entries.length}
          selectable={false}
          headings={[{ title: "When" }, { title: "What" }, { title: "Why" }]}
        >
          {history.entries.map((e, i) => (
            <IndexTable.Row id={String(i)} key={i} position={i}>
              <IndexTable.Cell>{new Date(e.at).toLocaleString("en-US", { timeZone: "UTC" })} UTC</IndexTable.Cell>
              <IndexTable.Cell>
                <BlockStack gap="050" inlineAlign="start">
                  {e.kind === "consent" ? <Badge tone="info">Customer answer</Badge> : null}
                  <Text as="span">{e.text}</Text>
                </BlockStack>
              </IndexTable.Cell>
              <IndexTable.Cell>{e.reason ?? ""}</IndexTable.Cell>
            </IndexTable.Row>
          ))}
        </IndexTable>
      </Card>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError title="Line history" />;
}
