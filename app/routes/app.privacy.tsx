// Customers' data requests (GDPR customers/data_request), which the merchant must answer:
// each with the data to send, to view or download, and "mark as sent".
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  ButtonGroup,
  Card,
  EmptyState,
  IndexTable,
  InlineStack,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import { requireShop } from "../auth/require-shop.server.ts";
import { db } from "../db/client.server.ts";
import { customerDataFor, erasureSummary, listDataRequests, markDataRequestSent } from "../admin/data-requests.server.ts";
import { DATA_REQUEST_STATUS, type DataRequestStatus } from "../admin/data-request-status.ts";
import { RouteError } from "../admin/ui/RouteError.tsx";

export const meta: MetaFunction = () => [{ title: "Privacy · Backorder Queue" }];

const requestIdOf = (value: string | null | FormDataEntryValue) => {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
};

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireShop(request);
  const selected = requestIdOf(new URL(request.url).searchParams.get("request"));
  const [requests, erasures, data] = await Promise.all([
    listDataRequests(db(), shop),
    erasureSummary(db(), shop),
    selected ? customerDataFor(db(), shop, selected) : Promise.resolve(null),
  ]);
  if (selected && !data) throw new Response("No such data request in this shop", { status: 404 });
  return json({ requests, erasures, data });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireShop(request);
  const form = await request.formData();
  const id = requestIdOf(form.get("id"));
  if (form.get("intent") !== "mark-sent" || !id) return json({ ok: false as const, error: "Unknown action" }, { status: 400 });
  if (!(await markDataRequestSent(db(), shop, id)))
    return json({ ok: false as const, error: "No such open data request" }, { status: 404 });
  return json({ ok: true as const });
};

const when = (iso: string | null) => (iso ? new Date(iso).toUTCString().replace(" GMT", " UTC") : "—");

function StatusBadge({ status }: { status: DataRequestStatus }) {
  if (status === DATA_REQUEST_STATUS.sent) return <Badge tone="success">Sent</Badge>;
  if (status === DATA_REQUEST_STATUS.erased) return <Badge>Erased</Badge>;
  return <Badge tone="attention">To send</Badge>;
}

function MarkSent({ id }: { id: number }) {
  const navigation = useNavigation();
  const busy = navigation.state === "submitting" && navigation.formData?.get("id") === String(id);
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="mark-sent" />
      <input type="hidden" name="id" value={id} />
      <Button submit size="slim" loading={busy} accessibilityLabel={`Mark data request ${id} as sent`}>
        Mark as sent
      </Button>
    </Form>
  );
}

function Requests() {
  const { requests } = useLoaderData<typeof loader>();
  if (requests.length === 0) {
    return (
      <Card>
        <EmptyState heading="No data requests" image="">
          <p>When a customer asks Shopify for their data, the request appears here with what this app holds about them.</p>
        </EmptyState>
      </Card>
    );
  }
  return (
    <Card padding="0">
      <IndexTable
        resourceName={{ singular: "data request", plural: "data requests" }}
        itemCount={requests.length}
        selectable={false}
        headings={[{ title: "Received" }, { title: "Customer" }, { title: "Orders requested" }, { title: "Status" }, { title: "" }]}
      >
        {requests.map((r, i) => (
          <IndexTable.Row id={String(r.id)} key={r.id} position={i}>
            <IndexTable.Cell>{when(r.receivedAt)}</IndexTable.Cell>
            <IndexTable.Cell>
              {r.status === DATA_REQUEST_STATUS.erased ? (
                <Text as="span" tone="subdued">
                  Erased
                </Text>
              ) : (
                <BlockStack gap="050">
                  <Text as="span">{r.email ?? "—"}</Text>
                  <Text as="span" variant="bodySm" tone="subdued">
                    {r.customerId ? `Customer ${r.customerId}` : "No customer ID"}
                  </Text>
                </BlockStack>
              )}
            </IndexTable.Cell>
            <IndexTable.Cell>{r.orderIds.length ? r.orderIds.join(", ") : "—"}</IndexTable.Cell>
            <IndexTable.Cell>
              <StatusBadge status={r.status} />
            </IndexTable.Cell>
            <IndexTable.Cell>
              <ButtonGroup>
                <Button url={`/app/privacy?request=${r.id}`} size="slim" disabled={r.status === DATA_REQUEST_STATUS.erased}>
                  Data to send
                </Button>
                {r.status === DATA_REQUEST_STATUS.toSend ? <MarkSent id={r.id} /> : null}
              </ButtonGroup>
            </IndexTable.Cell>
          </IndexTable.Row>
        ))}
      </IndexTable>
    </Card>
  );
}

function DataToSend() {
  const { data } = useLoaderData<typeof loader>();
  if (!data) return null;
  const { request, orders } = data;
  const download = (format: "json" | "csv") => `/app/privacy/download?request=${request.id}&format=${format}`;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Data to send: request of {when(request.receivedAt)}
          </Text>
          <ButtonGroup>
            <Button url={download("json")} download>
              Download JSON
            </Button>
            <Button url={download("csv")} download>
              Download CSV
            </Button>
            {request.status === DATA_REQUEST_STATUS.toSend ? <MarkSent id={request.id} /> : null}
          </ButtonGroup>
        </InlineStack>
        {request.status === DATA_REQUEST_STATUS.erased ? (
          <Banner tone="info" title={`This customer's data was erased on ${when(request.redactedAt)} (customers/redact).`}>
            <p>The app holds nothing about them any more, so there is nothing to send.</p>
          </Banner>
        ) : null}
        {request.status !== DATA_REQUEST_STATUS.erased && orders.length === 0 ? (
          <Text as="p" tone="subdued">
            The app holds no data about this customer.
          </Text>
        ) : null}
        {orders.map((o) => (
          <BlockStack gap="100" key={o.orderId}>
            <Text as="h3" variant="headingSm">
              Order {o.name} ({o.orderId}), placed {when(o.createdAt)}
              {o.cancelledAt ? `, cancelled ${when(o.cancelledAt)}` : ""}
            </Text>
            <Text as="p" tone="subdued">
              {[o.customerNames.join(", "), o.customerEmails.join(", "), o.customerIds.length ? `customer ${o.customerIds.join(", ")}` : ""]
                .filter(Boolean)
                .join(" · ") || "No customer details"}
            </Text>
            {o.lines.map((l) => (
              <Text as="p" key={l.lineItemId}>
                {l.quantity} × {l.item}
                {l.sku ? ` (${l.sku})` : ""}: {l.state}, {l.openQuantity} still to ship, {l.waitingQuantity} waiting for stock
                {l.backorderedAt ? `; backordered ${when(l.backorderedAt)}` : ""}
                {l.allocatedAt ? `; allocated ${when(l.allocatedAt)}` : ""}
                {l.fulfilledAt ? `; fulfilled ${when(l.fulfilledAt)}` : ""}
              </Text>
            ))}
          </BlockStack>
        ))}
      </BlockStack>
    </Card>
  );
}

export default function Privacy() {
  const { erasures } = useLoaderData<typeof loader>();
  return (
    <Page title="Privacy" subtitle="Customers' data requests from Shopify. Send each customer their data, then mark the request as sent.">
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <DataToSend />
            <Requests />
            <Text as="p" tone="subdued">
              {erasures.count === 0
                ? "No customer data has been erased at a customer's request."
                : `Customer data erased at customers' request ${erasures.count} time${erasures.count === 1 ? "" : "s"}, last on ${when(erasures.last)}.`}
            </Text>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError title="Privacy" />;
}
