// Restock planning: every variant with a queue, demand or stock on the way, what to order,
// and the variants at risk; batches imported from a CSV file; the supplier export.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  ButtonGroup,
  Card,
  DataTable,
  InlineGrid,
  InlineStack,
  Layout,
  List,
  Page,
  Text,
} from "@shopify/polaris";
import { requireShop } from "../auth/require-shop.server.ts";
import { db } from "../db/client.server.ts";
import { importBatches, loadPlanningSnapshot } from "../admin/planning.server.ts";
import { IMPORT_BYTES_MAX } from "../admin/incoming-batches.ts";
import { formatCalendarDate, formatCount, formatFiguresAge } from "../admin/format.ts";
import { useRefreshedFigures } from "../admin/ui/useRefreshedFigures.ts";
import {
  PLANNING_FILTERS,
  RISK_LABELS,
  formatRate,
  formatTrend,
  locationLabel,
  parseCoverDays,
  type PlanningFilter,
} from "../admin/planning-format.ts";
import { RouteError } from "../admin/ui/RouteError.tsx";

export const meta: MetaFunction = () => [{ title: "Planning · Backorder Queue" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireShop(request);
  const params = new URL(request.url).searchParams;
  const filter = (PLANNING_FILTERS.find((f) => f === params.get("filter")) ?? "at-risk") as PlanningFilter;
  const coverDays = parseCoverDays(params.get("cover"));
  // Plans as of their snapshot; a stale one is recomputed after this response.
  const { asOf, refreshing, ...overview } = await loadPlanningSnapshot(db(), shop, {
    coverDays,
    filter,
    page: Number(params.get("page") ?? 1),
  });
  const figuresAge = { seconds: Math.max(0, Math.round((Date.now() - asOf.getTime()) / 1000)), refreshing: refreshing !== null };
  return json({ ...overview, figuresAge });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireShop(request);
  const form = await request.formData();
  const file = form.get("file");
  if (!file || typeof file === "string" || file.size === 0) {
    return json({ ok: false as const, errors: [{ line: 0, message: "Choose a CSV file to import." }] }, { status: 400 });
  }
  if (file.size > IMPORT_BYTES_MAX)
    return json({ ok: false as const, errors: [{ line: 0, message: "The file is larger than 1 MB: split it." }] }, { status: 400 });
  const result = await importBatches(db(), shop, await file.text());
  return json(result, { status: result.ok ? 200 : 400 });
};

const FILTER_LABELS: Record<PlanningFilter, string> = {
  all: "All",
  "at-risk": "At risk",
  "to-order": "To order",
  ...RISK_LABELS,
};

function ImportCard() {
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Import incoming batches
        </Text>
        <Text as="p" tone="subdued">
          A CSV file with a header row: <code>sku</code> or <code>variant_id</code>, <code>arrives_on</code> (YYYY-MM-DD),{" "}
          <code>quantity</code>, and optionally <code>location_id</code> and <code>reference</code> (a PO number). Every row is checked
          first: one bad row and nothing is imported.
        </Text>
        {result && result.ok ? (
          <Banner tone="success" title={`Imported ${result.imported} batches for ${result.variants} variants`} />
        ) : null}
        {result && !result.ok ? (
          <Banner tone="critical" title="Nothing was imported">
            <List>
              {result.errors.slice(0, 20).map((e) => (
                <List.Item key={`${e.line}-${e.message}`}>{e.line > 0 ? `Line ${e.line}: ${e.message}` : e.message}</List.Item>
              ))}
            </List>
            {result.errors.length > 20 ? <p>… and {result.errors.length - 20} more lines.</p> : null}
          </Banner>
        ) : null}
        <Form method="post" encType="multipart/form-data">
          <InlineStack gap="300" blockAlign="center">
            <input type="file" name="file" accept=".csv,text/csv" aria-label="CSV file of incoming batches" />
            <Button submit loading={navigation.state === "submitting"}>
              Import
            </Button>
          </InlineStack>
        </Form>
      </BlockStack>
    </Card>
  );
}

export default function Planning() {
  const o = useLoaderData<typeof loader>();
  useRefreshedFigures(o.figuresAge.refreshing);
  const link = (over: Record<string, string | number>) => {
    const p = new URLSearchParams({
      filter: o.filter,
      cover: String(o.coverDays),
      ...Object.fromEntries(Object.entries(over).map(([k, v]) => [k, String(v)])),
    });
    return `/app/planning?${p}`;
  };
  // A shop with more than one location: each row says where its units wait and when each location's queue clears.
  const located = o.rows.some((r) => r.byLocation !== null);
  const rows = o.rows.map((r) => [
    <Link key={r.variantId} to={`/app/planning/${encodeURIComponent(r.variantId)}?cover=${o.coverDays}`}>
      {r.sku ? `${r.title} · ${r.sku}` : r.title}
    </Link>,
    formatCount(r.waitingUnits),
    `${formatRate(r.demand.last7)} ${formatTrend(r.demand.trend)}`,
    r.nextBatch ? `${formatCalendarDate(r.nextBatch.day)}: ${r.nextBatch.quantity} for ${Math.round(r.nextBatch.queueBefore)}` : "—",
    r.clearsOn ? formatCalendarDate(r.clearsOn) : r.batches.length ? "Not with the batches planned" : "No batch planned",
    formatCount(r.advice.quantity),
    ...(located
      ? [
          <BlockStack key={`${r.variantId}-loc`} gap="050">
            {(r.byLocation ?? []).map((l) => (
              <Text key={l.locationId ?? "none"} as="span" variant="bodySm">
                {`${locationLabel(l.locationId)}: ${formatCount(l.waitingUnits)}`}
                {l.waitingUnits > 0 ? ` · clears ${l.clearsOn ? formatCalendarDate(l.clearsOn) : "not yet"}` : ""}
              </Text>
            ))}
          </BlockStack>,
        ]
      : []),
    <InlineStack key={`${r.variantId}-risk`} gap="100">
      {r.risks.map((k) => (
        <Badge key={k} tone={k === "promise-passed" ? "critical" : "warning"}>
          {RISK_LABELS[k]}
        </Badge>
      ))}
    </InlineStack>,
  ]);
  return (
    <Page
      title="Planning"
      subtitle={`What to order to clear each queue and cover ${o.coverDays} days of demand · ${formatFiguresAge(o.figuresAge)}`}
      primaryAction={{
        content: "Export supplier CSV",
        onAction: () => window.location.assign(`/app/planning/export?cover=${o.coverDays}`),
      }}
    >
      <Layout>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 5 }} gap="400">
            <Card>
              <Text as="h3" tone="subdued">
                Units waiting
              </Text>
              <Text as="p" variant="headingXl">
                {formatCount(o.totals.waitingUnits)}
              </Text>
            </Card>
            <Card>
              <Text as="h3" tone="subdued">
                Units to order
              </Text>
              <Text as="p" variant="headingXl">
                {formatCount(o.totals.toOrder)}
              </Text>
              <Text as="p" variant="bodySm" tone="subdued">
                for {formatCount(o.totals.variantsToOrder)} variants
              </Text>
            </Card>
            {(["promise-passed", "outgrows-next-batch", "no-restock-date"] as const).map((k) => (
              <Card key={k}>
                <Text as="h3" tone="subdued">
                  {RISK_LABELS[k]}
                </Text>
                <Text as="p" variant="headingXl">
                  {formatCount(o.risks[k])}
                </Text>
                <Text as="p" variant="bodySm" tone="subdued">
                  variants
                </Text>
              </Card>
            ))}
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <BlockStack gap="200">
              <Bar>
                <InlineStack gap="300" align="space-between" blockAlign="center">
                  <ButtonGroup variant="segmented">
                    {PLANNING_FILTERS.map((f) => (
                      <Button key={f} url={link({ filter: f, page: 1 })} pressed={o.filter === f}>
                        {FILTER_LABELS[f]}
                      </Button>
                    ))}
                  </ButtonGroup>
                  <Form method="get">
                    <input type="hidden" name="filter" value={o.filter} />
                    <InlineStack gap="200" blockAlign="center">
                      <label htmlFor="cover-days">Cover days</label>
                      <input
                        id="cover-days"
                        name="cover"
                        type="number"
                        min={0}
                        max={365}
                        defaultValue={o.coverDays}
                        style={{ width: "5em" }}
                      />
                      <Button submit>Apply</Button>
                    </InlineStack>
                  </Form>
                </InlineStack>
              </Bar>
              {rows.length ? (
                <DataTable
                  columnContentTypes={[
                    "text",
                    "numeric",
                    "text",
                    "text",
                    "text",
                    "numeric",
                    ...(located ? (["text"] as const) : []),
                    "text",
                  ]}
                  headings={[
                    "Variant",
                    "Waiting",
                    "Demand / day (7 d)",
                    "Next batch: units for queue",
                    "Queue clears",
                    "Order now",
                    ...(located ? ["By location"] : []),
                    "At risk",
                  ]}
                  rows={rows}
                />
              ) : (
                <Bar>
                  <Text as="p" tone="subdued">
                    No variant matches “{FILTER_LABELS[o.filter]}”.
                  </Text>
                </Bar>
              )}
              {o.pages > 1 ? (
                <Bar>
                  <InlineStack gap="200" blockAlign="center">
                    <Button url={link({ page: o.page - 1 })} disabled={o.page <= 1}>
                      Previous
                    </Button>
                    <Text as="span">
                      Page {o.page} of {o.pages}
                    </Text>
                    <Button url={link({ page: o.page + 1 })} disabled={o.page >= o.pages}>
                      Next
                    </Button>
                  </InlineStack>
                </Bar>
              ) : null}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <ImportCard />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Bar({ children }: { children: React.ReactNode }) {
  return <div style={{ padding: "12px 16px" }}>{children}</div>;
}

export function ErrorBoundary() {
  return <RouteError title="Planning" />;
}
