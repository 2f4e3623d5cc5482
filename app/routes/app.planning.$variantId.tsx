// One variant's plan: its queue over the last 28 days, orders per day, the batches on the
// way and the projected queue (per location in a shop with several), with the batches edited
// in bulk (all rows saved at once).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { useState } from "react";
import { requireShop } from "../auth/require-shop.server.ts";
import { db } from "../db/client.server.ts";
import { loadVariantPlanning, saveVariantBatches } from "../admin/planning.server.ts";
import { REFERENCE_MAX } from "../admin/incoming-batches.ts";
import { formatCalendarDate, formatCount } from "../admin/format.ts";
import { RISK_LABELS, formatRate, formatTrend, formatUnits, locationLabel, parseCoverDays } from "../admin/planning-format.ts";
import { TimeChart } from "../admin/ui/charts.tsx";
import { RouteError } from "../admin/ui/RouteError.tsx";

export const meta: MetaFunction = () => [{ title: "Variant plan · Backorder Queue" }];

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireShop(request);
  const coverDays = parseCoverDays(new URL(request.url).searchParams.get("cover"));
  const data = await loadVariantPlanning(db(), shop, params.variantId ?? "", { coverDays });
  if (!data) throw new Response("No such variant in this shop", { status: 404 });
  return json(data);
};

const BLANK_ROWS = 3;

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireShop(request);
  const form = await request.formData();
  const all = (k: string) => form.getAll(k).map(String);
  const dates = all("arrivesOn");
  const rows = dates.map((arrivesOn, i) => ({
    arrivesOn,
    quantity: all("quantity")[i] ?? "",
    locationId: all("locationId")[i] ?? "",
    reference: all("reference")[i] ?? "",
  }));
  const result = await saveVariantBatches(db(), shop, params.variantId ?? "", rows);
  return json(result, { status: result.ok ? 200 : 400 });
};

interface Row {
  arrivesOn: string;
  quantity: string;
  locationId: string;
  reference: string;
}

function BatchEditor({ initial }: { initial: Row[] }) {
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [rows, setRows] = useState<Row[]>([
    ...initial,
    ...Array.from({ length: BLANK_ROWS }, () => ({ arrivesOn: "", quantity: "", locationId: "", reference: "" })),
  ]);
  const errorsOf = (i: number) => (result && !result.ok ? result.errors.filter((e) => e.row === i + 1) : []);
  const set = (i: number, k: keyof Row) => (v: string) => setRows((all) => all.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
  const formError = result && !result.ok ? result.errors.find((e) => e.row === 0) : undefined;
  return (
    <Form method="post">
      <BlockStack gap="300">
        {result?.ok ? <Banner tone="success" title={`Saved ${result.saved} batches. The storefront date follows shortly.`} /> : null}
        {result && !result.ok ? (
          <Banner tone="critical" title={formError?.message ?? "Nothing was saved: fix the rows marked below."} />
        ) : null}
        {rows.map((r, i) => {
          const errs = errorsOf(i);
          const err = (f: string) => errs.find((e) => e.field === f)?.message;
          return (
            <InlineGrid key={i} columns={{ xs: 1, md: 4 }} gap="200">
              <TextField
                label={`Arrives on (batch ${i + 1})`}
                name="arrivesOn"
                type="date"
                value={r.arrivesOn}
                onChange={set(i, "arrivesOn")}
                autoComplete="off"
                error={err("arrivesOn")}
              />
              <TextField
                label="Quantity"
                name="quantity"
                type="number"
                value={r.quantity}
                onChange={set(i, "quantity")}
                autoComplete="off"
                error={err("quantity")}
              />
              <TextField
                label="Location id (optional)"
                name="locationId"
                value={r.locationId}
                onChange={set(i, "locationId")}
                autoComplete="off"
                error={err("locationId")}
              />
              <TextField
                label="Reference / PO (optional)"
                name="reference"
                value={r.reference}
                maxLength={REFERENCE_MAX}
                onChange={set(i, "reference")}
                autoComplete="off"
                error={err("reference")}
              />
            </InlineGrid>
          );
        })}
        <InlineStack gap="200">
          <Button onClick={() => setRows((all) => [...all, { arrivesOn: "", quantity: "", locationId: "", reference: "" }])}>
            Add a row
          </Button>
          <Button submit variant="primary" loading={navigation.state === "submitting"}>
            Save batches
          </Button>
        </InlineStack>
        <Text as="p" variant="bodySm" tone="subdued">
          Clear a row to remove that batch. Saving replaces the variant's batches with these rows.
        </Text>
      </BlockStack>
    </Form>
  );
}

export default function VariantPlan() {
  const d = useLoaderData<typeof loader>();
  const p = d.plan;
  const lastDay = [d.today, ...d.projection.map((x) => x.day), p.advice.arrivesOn].sort().at(-1)!;
  const projection = [
    { day: d.today, value: p.waitingUnits },
    ...d.projection.flatMap((x) => [
      { day: x.day, value: x.before },
      { day: x.day, value: x.after },
    ]),
  ];
  return (
    <Page title={p.sku ? `${p.title} · ${p.sku}` : p.title} backAction={{ content: "Planning", url: `/app/planning?cover=${d.coverDays}` }}>
      <Layout>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
            <Fact label="Units waiting" value={formatCount(p.waitingUnits)} help={`${formatCount(p.waitingLines)} lines`} />
            <Fact
              label="Demand per day"
              value={`${formatRate(p.demand.last7)} ${formatTrend(p.demand.trend)}`}
              help={`${formatRate(p.demand.last28)} over 28 days`}
            />
            <Fact
              label="Queue clears"
              value={p.clearsOn ? formatCalendarDate(p.clearsOn) : "Not yet planned"}
              help={`${formatCount(p.incomingUnits)} units on the way`}
            />
            <Fact
              label="Order now"
              value={formatCount(p.advice.quantity)}
              help={`Arrives ~${formatCalendarDate(p.advice.arrivesOn)} (${p.leadTimeDays} days lead), covers ${d.coverDays} days`}
            />
          </InlineGrid>
        </Layout.Section>
        {p.risks.length ? (
          <Layout.Section>
            <InlineStack gap="200">
              {p.risks.map((k) => (
                <Badge key={k} tone={k === "promise-passed" ? "critical" : "warning"}>
                  {RISK_LABELS[k]}
                </Badge>
              ))}
            </InlineStack>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Queue over time
              </Text>
              <TimeChart
                title={`Units waiting, orders per day and restocks for ${p.title}`}
                first={d.waitingHistory[0]?.day ?? d.today}
                last={lastDay}
                bars={{ label: "Units ordered", points: d.ordersPerDay.map((x) => ({ day: x.day, value: x.units })), color: "#b98900" }}
                lines={[
                  { label: "Units waiting", points: d.waitingHistory.map((x) => ({ day: x.day, value: x.units })), color: "#2c6ecb" },
                  { label: "Projected queue", points: projection, color: "#8051ff", dashed: true },
                ]}
                markers={d.projection.map((x) => ({ day: x.day, label: `${x.arriving} units arrive` }))}
              />
              <Text as="p" variant="bodySm" tone="subdued">
                Blue: units waiting at the end of each day. Bars: units backordered per day. Dashed: the projected queue with demand at{" "}
                {formatRate(p.rate)} a day, falling as each batch (green) arrives.
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        {p.byLocation ? (
          <Layout.Section>
            <ByLocation plan={p} byLocation={p.byLocation} projection={d.projection} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Incoming batches
              </Text>
              {d.batchRows.some((b) => b.arrivesOn < d.today) ? (
                <Text as="p" tone="subdued">
                  Past batches (dropped when you save):{" "}
                  {d.batchRows
                    .filter((b) => b.arrivesOn < d.today)
                    .map((b) => `${formatCalendarDate(b.arrivesOn)}: ${b.quantity}`)
                    .join(", ")}
                </Text>
              ) : null}
              <BatchEditor
                initial={d.batchRows
                  .filter((b) => b.arrivesOn >= d.today)
                  .map((b) => ({
                    arrivesOn: b.arrivesOn,
                    quantity: String(b.quantity),
                    locationId: b.locationId ?? "",
                    reference: b.reference ?? "",
                  }))}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/**
 * A shop with more than one location (decision 0032): where the units wait, when each
 * location's queue clears, and the projected queue of each location on each batch date
 * (a batch at a location serves that location's lines first, then the ones not placed yet).
 */
function ByLocation({
  plan,
  byLocation,
  projection,
}: {
  plan: { title: string };
  byLocation: { locationId: string | null; waitingUnits: number; placedUnits: number; clearsOn: string | null }[];
  projection: {
    day: string;
    arriving: number;
    before: number;
    after: number;
    locationId?: string | null;
    locations?: { locationId: string | null; before: number; after: number }[];
  }[];
}) {
  const columns = byLocation.map((l) => l.locationId);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          By location
        </Text>
        <DataTable
          columnContentTypes={["text", "numeric", "numeric", "text"]}
          headings={["Location", "Units waiting", "Of them placed there", "Queue clears"]}
          rows={byLocation.map((l) => [
            locationLabel(l.locationId),
            formatCount(l.waitingUnits),
            l.locationId === null ? "—" : formatCount(l.placedUnits),
            l.waitingUnits <= 0 && l.locationId !== null
              ? "Nothing waiting"
              : l.clearsOn
                ? formatCalendarDate(l.clearsOn)
                : "Not with the batches planned",
          ])}
        />
        {projection.length ? (
          <>
            <Text as="h3" variant="headingSm">
              {`Projected queue of ${plan.title} by location (before → after each batch)`}
            </Text>
            <DataTable
              columnContentTypes={["text", "text", ...columns.map(() => "text" as const), "numeric"]}
              headings={["Batch", "Arrives at", ...columns.map(locationLabel), "All locations"]}
              rows={projection.map((x) => [
                `${formatCalendarDate(x.day)}: ${formatCount(x.arriving)}`,
                x.locationId ? locationLabel(x.locationId) : "Any location",
                ...columns.map((id) => {
                  const at = x.locations?.find((l) => l.locationId === id);
                  return at ? `${formatUnits(at.before)} → ${formatUnits(at.after)}` : "—";
                }),
                `${formatUnits(x.before)} → ${formatUnits(x.after)}`,
              ])}
            />
            <Text as="p" variant="bodySm" tone="subdued">
              A batch at a location serves the lines waiting there first, then the lines Shopify has not placed at a location yet (new
              orders among them); never the lines placed at another location.
            </Text>
          </>
        ) : null}
      </BlockStack>
    </Card>
  );
}

function Fact({ label, value, help }: { label: string; value: string; help: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingLg">
          {value}
        </Text>
        <Text as="p" variant="bodySm" tone="subdued">
          {help}
        </Text>
      </BlockStack>
    </Card>
  );
}

export function ErrorBoundary() {
  return <RouteError title="Variant plan" />;
}
