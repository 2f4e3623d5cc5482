// Dashboard: the numbers a merchant manages backorders by.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { useRefreshedFigures } from "../admin/ui/useRefreshedFigures.ts";
import { BlockStack, Box, Button, ButtonGroup, Card, EmptyState, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { requireShop } from "../auth/require-shop.server.ts";
import { db } from "../db/client.server.ts";
import { loadDashboardSnapshot } from "../admin/metrics.server.ts";
import { loadShopDefaults } from "../admin/shop-context.server.ts";
import { formatCalendarDate, formatCount, formatDuration, formatFiguresAge, formatMoney, formatPercent } from "../admin/format.ts";
import { BarList, ColumnChart } from "../admin/ui/charts.tsx";
import { RouteError } from "../admin/ui/RouteError.tsx";
import { OnboardingGuide } from "../admin/ui/OnboardingGuide.tsx";
import { dismissOnboarding, loadOnboarding } from "../admin/onboarding.server.ts";
import { appConfig } from "../config.server.ts";
import { processGateways } from "../sync/gateways.server.ts";

export const meta: MetaFunction = () => [{ title: "Dashboard · Backorder Queue" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireShop(request);
  const granularity = new URL(request.url).searchParams.get("by") === "day" ? "day" : "week";
  const defaults = await loadShopDefaults(db(), shop);
  const [{ value: metrics, asOf, refreshing }, onboarding] = await Promise.all([
    // Figures as of their snapshot; a stale one is recomputed after this response.
    loadDashboardSnapshot(db(), shop, { granularity, shopCurrency: defaults.currency }),
    loadOnboarding(db(), shop, { gateway: () => processGateways()(shop), apiKey: appConfig().apiKey }),
  ]);
  const hasHistory = metrics.openLines > 0 || metrics.cancellation.orders > 0 || metrics.topVariants.length > 0;
  const figuresAge = { seconds: Math.max(0, Math.round((Date.now() - asOf.getTime()) / 1000)), refreshing: refreshing !== null };
  return json({ metrics, hasHistory, onboarding, figuresAge });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireShop(request);
  const form = await request.formData();
  if (form.get("intent") !== "dismiss-onboarding") return json({ error: "Unknown action" }, { status: 400 });
  await dismissOnboarding(db(), shop);
  return redirect(new URL(request.url).pathname + new URL(request.url).search);
};

function Stat({ label, value, help }: { label: string; value: string; help?: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="bodyMd" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingXl">
          {value}
        </Text>
        {help ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {help}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}

export default function Dashboard() {
  const { metrics: m, hasHistory, onboarding, figuresAge } = useLoaderData<typeof loader>();
  useRefreshedFigures(figuresAge.refreshing);
  const guide = onboarding ? <OnboardingGuide guide={onboarding} /> : null;
  const [params] = useSearchParams();
  const by = params.get("by") === "day" ? "day" : "week";

  if (!hasHistory) {
    return (
      <Page title="Dashboard">
        <BlockStack gap="400">
          {guide}
          <Card>
            <EmptyState
              heading="No backorders yet"
              action={{ content: "Choose variants to backorder", url: "/app/variants" }}
              secondaryAction={{ content: "Shop settings", url: "/app/settings" }}
              image="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='226' height='226'/%3E"
            >
              <p>
                When a variant sells out and customers keep ordering, their orders line up here, oldest first, with the numbers that matter.
              </p>
            </EmptyState>
          </Card>
        </BlockStack>
      </Page>
    );
  }

  const revenue = m.waitingRevenue.length
    ? m.waitingRevenue.map((r) => formatMoney(r.amount, r.currency)).join(" + ")
    : formatMoney(0, m.revenueWon.currency);
  const wonTotal = m.revenueWon.buckets.reduce((s, b) => s + b.amount, 0);
  return (
    <Page
      title="Dashboard"
      subtitle={`Wait times and cancellations over the last ${m.windowDays} days · ${formatFiguresAge(figuresAge)}`}
      primaryAction={{ content: "Open the queue", url: "/app/queue" }}
    >
      <Layout>
        {guide ? <Layout.Section>{guide}</Layout.Section> : null}
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 3 }} gap="400">
            <Stat label="Waiting lines" value={formatCount(m.openLines)} help={`${formatCount(m.openUnits)} units on backorder`} />
            <Stat label="Revenue waiting" value={revenue} help="Price × units still waiting for stock" />
            <Stat
              label="Cancellation rate"
              value={formatPercent(m.cancellation.rate)}
              help={`${formatCount(m.cancellation.cancelled)} of ${formatCount(m.cancellation.orders)} backordered orders`}
            />
            <Stat
              label="Wait until stock (avg / p90)"
              value={`${formatDuration(m.toAllocation.avgSeconds)} / ${formatDuration(m.toAllocation.p90Seconds)}`}
              help={`${formatCount(m.toAllocation.count)} lines got stock`}
            />
            <Stat
              label="Wait until shipped (avg / p90)"
              value={`${formatDuration(m.toFulfilment.avgSeconds)} / ${formatDuration(m.toFulfilment.p90Seconds)}`}
              help={`${formatCount(m.toFulfilment.count)} lines shipped`}
            />
            <Stat
              label="Promises kept"
              value={formatPercent(m.promises.share)}
              help={
                m.promises.lines
                  ? `${formatCount(m.promises.onTime)} of ${formatCount(m.promises.lines)} shipped lines by the first date promised; mean slip ${m.promises.meanSlipDays!.toFixed(1)} days`
                  : "No shipped line had a promised date yet"
              }
            />
            <Stat
              label="Backorder revenue won"
              value={formatMoney(wonTotal, m.revenueWon.currency)}
              help={by === "day" ? "Last 30 days" : "Last 12 weeks"}
            />
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineGrid columns="1fr auto">
                <Text as="h2" variant="headingMd">
                  Backorder revenue won, by {by}
                </Text>
                <ButtonGroup variant="segmented">
                  <Button url="?by=week" pressed={by === "week"}>
                    Weekly
                  </Button>
                  <Button url="?by=day" pressed={by === "day"}>
                    Daily
                  </Button>
                </ButtonGroup>
              </InlineGrid>
              <ColumnChart
                title={`Backorder revenue won by ${by} (${m.revenueWon.currency})`}
                bars={m.revenueWon.buckets.map((b) => ({
                  label: formatCalendarDate(b.start).replace(/, \d{4}$/, ""),
                  value: b.amount,
                  display: `${formatMoney(b.amount, m.revenueWon.currency)} (${b.lines} lines)`,
                }))}
              />
              <Text as="p" variant="bodySm" tone="subdued">
                Orders placed while the variant was out of stock and not cancelled ({m.revenueWon.currency}).
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Most often backordered
              </Text>
              {m.topVariants.length ? (
                <BarList
                  title="Variants with the most backordered lines"
                  bars={m.topVariants.map((v) => ({
                    label: v.sku ? `${v.title} · ${v.sku}` : v.title,
                    value: v.lines,
                    display: `${v.lines} lines, ${v.units} units`,
                  }))}
                />
              ) : (
                <Text as="p" tone="subdued">
                  No variant was backordered in the last {m.windowDays} days.
                </Text>
              )}
              <Box>
                <Button url="/app/variants?filter=backordered" variant="plain">
                  Review their restock dates
                </Button>
              </Box>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError title="Dashboard" />;
}
