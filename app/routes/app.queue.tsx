// The queue: every backordered line, who is next, and when it ships; with the actions a
// merchant takes on a batch of lines.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams, useSubmit } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  EmptyState,
  IndexTable,
  InlineStack,
  Link,
  Page,
  Pagination,
  Select,
  Text,
  TextField,
  useIndexResourceState,
} from "@shopify/polaris";
import { NumericCell } from "../admin/ui/NumericCell.tsx";
import { useEffect, useState } from "react";
import { requireShop } from "../auth/require-shop.server.ts";
import { LINE_STATE } from "../backorder/line-state.ts";
import { db } from "../db/client.server.ts";
import { runBulkAction } from "../admin/bulk-actions.server.ts";
import { loadQueuePage, queueVariantChoices } from "../admin/queue.server.ts";
import { AGE_CHOICES, DEFAULT_QUERY, QUEUE_SORTS, QUEUE_STATES, parseQueueQuery, queueQueryParams } from "../admin/queue-query.ts";
import { formatCalendarDate, formatCount, formatMoney } from "../admin/format.ts";
import { loadShopDefaults, shopToday } from "../admin/shop-context.server.ts";
import { RouteError } from "../admin/ui/RouteError.tsx";

export const meta: MetaFunction = () => [{ title: "Queue · Backorder Queue" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireShop(request);
  const url = new URL(request.url);
  const query = parseQueueQuery(url.searchParams);
  const now = new Date();
  const [page, variants, defaults, any] = await Promise.all([
    loadQueuePage(db(), shop, query, now),
    queueVariantChoices(db(), shop),
    loadShopDefaults(db(), shop),
    db().backorderLine.findFirst({ where: { shop }, select: { lineItemId: true } }),
  ]);
  const filters = queueQueryParams({ ...query, after: null, before: null }).toString();
  return json({ page, variants, filters, today: shopToday(defaults, now), shopHasLines: any !== null });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireShop(request);
  const result = await runBulkAction(db(), shop, await request.formData());
  return json(result, { status: result.ok ? 200 : 400 });
};

const STATE_LABELS: Record<(typeof QUEUE_STATES)[number], string> = {
  waiting: "Waiting for stock",
  open: "Open (waiting or allocated)",
  allocated: "Allocated",
  fulfilled: "Fulfilled",
  cancelled: "Cancelled",
  all: "All",
};
const SORT_LABELS: Record<(typeof QUEUE_SORTS)[number], string> = {
  oldest: "Oldest first (queue order)",
  newest: "Newest first",
  waiting: "Most units waiting",
};

function stateBadge(state: string) {
  const tone =
    state === LINE_STATE.waiting
      ? "attention"
      : state === LINE_STATE.allocated
        ? "info"
        : state === LINE_STATE.fulfilled
          ? "success"
          : undefined;
  return <Badge tone={tone}>{state.charAt(0).toUpperCase() + state.slice(1)}</Badge>;
}

/** The customer's answer to a delay notice (app/consent). */
function consentBadge(c: { choice: "keep" | "cancel"; promisedDate: string }) {
  return c.choice === "keep" ? (
    <Badge tone="success">{`Customer waits (${formatCalendarDate(c.promisedDate)})`}</Badge>
  ) : (
    <Badge tone="warning">Customer cancelled</Badge>
  );
}

function FilterBar({ variants }: { variants: { variantId: string; label: string }[] }) {
  const [params] = useSearchParams();
  const [search, setSearch] = useState(params.get("q") ?? "");
  const [state, setState] = useState(params.get("state") ?? DEFAULT_QUERY.state);
  const [variant, setVariant] = useState(params.get("variant") ?? "");
  const [age, setAge] = useState(params.get("age") ?? "");
  const [sort, setSort] = useState(params.get("sort") ?? "oldest");
  return (
    <Form method="get" role="search" aria-label="Filter the queue">
      <InlineStack gap="300" blockAlign="end" wrap>
        <div style={{ minWidth: 240, flex: "1 1 240px" }}>
          <TextField
            label="Search"
            name="q"
            value={search}
            onChange={setSearch}
            autoComplete="off"
            placeholder="Order, customer, email or SKU"
            clearButton
            onClearButtonClick={() => setSearch("")}
          />
        </div>
        <Select
          label="State"
          name="state"
          value={state}
          onChange={setState}
          options={QUEUE_STATES.map((s) => ({ value: s, label: STATE_LABELS[s] }))}
        />
        <Select
          label="Variant"
          name="variant"
          value={variant}
          onChange={setVariant}
          options={[{ value: "", label: "All variants" }, ...variants.map((v) => ({ value: v.variantId, label: v.label }))]}
        />
        <Select
          label="Age"
          name="age"
          value={age}
          onChange={setAge}
          options={[{ value: "", label: "Any age" }, ...AGE_CHOICES.map((d) => ({ value: String(d), label: `Older than ${d} days` }))]}
        />
        <Select
          label="Sort"
          name="sort"
          value={sort}
          onChange={setSort}
          options={QUEUE_SORTS.map((s) => ({ value: s, label: SORT_LABELS[s] }))}
        />
        <Button submit>Apply</Button>
        <Button url="/app/queue" variant="plain">
          Clear
        </Button>
      </InlineStack>
    </Form>
  );
}

export default function Queue() {
  const { page, variants, filters, today, shopHasLines } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const [restockDate, setRestockDate] = useState("");
  const rows = page.rows;
  const { selectedResources, allResourcesSelected, handleSelectionChange, clearSelection } = useIndexResourceState(rows, {
    resourceIDResolver: (r) => r.lineItemId,
  });
  const busy = navigation.state === "submitting";
  // More lines match than this page shows: Polaris offers "select all", which the server
  // resolves from the filter (the browser never lists those ids).
  const hasMore = page.total > rows.length;
  const acrossPages = allResourcesSelected && hasMore;

  useEffect(() => {
    if (result?.ok) clearSelection();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- clear once per successful action
  }, [result]);
  useEffect(() => {
    clearSelection(); // a selection (above all "every matching line") belongs to the filter it was made under
    // eslint-disable-next-line react-hooks/exhaustive-deps -- clear once per filter change
  }, [filters]);

  const selected = allResourcesSelected ? rows.map((r) => r.lineItemId) : selectedResources;
  const run = (intent: string, extra: Record<string, string> = {}) => {
    const form = new FormData();
    form.set("intent", intent);
    if (acrossPages) {
      form.set("scope", "filter");
      form.set("filters", filters);
    } else {
      for (const id of selected) form.append("lineItemId", id);
    }
    for (const [k, v] of Object.entries(extra)) form.set(k, v);
    submit(form, { method: "post" });
  };

  const pageLink = (key: "after" | "before", cursor: string) => {
    const p = new URLSearchParams(filters);
    p.set(key, cursor);
    return `?${p.toString()}`;
  };

  if (!shopHasLines) {
    return (
      <Page title="Queue">
        <Card>
          <EmptyState
            heading="Nobody is waiting"
            action={{ content: "Set up backorders", url: "/app/variants" }}
            image="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='226' height='226'/%3E"
          >
            <p>Orders for sold-out variants appear here in the order they were placed, with their place in line and ship date.</p>
          </EmptyState>
        </Card>
      </Page>
    );
  }

  return (
    <Page
      title="Queue"
      subtitle={`${formatCount(page.total)} lines match`}
      fullWidth
      secondaryActions={[
        {
          content: "Export CSV",
          accessibilityLabel: "Export the filtered queue as CSV",
          onAction: () => window.location.assign(`/app/queue/export?${filters}`),
        },
      ]}
    >
      <BlockStack gap="400">
        {result ? <Banner tone={result.ok ? "success" : "critical"} title={result.ok ? result.message : result.error} /> : null}
        <Card>
          <FilterBar key={filters} variants={variants} />
        </Card>
        {selected.length > 0 ? (
          <Card>
            <InlineStack gap="300" blockAlign="end" wrap>
              <Text as="p" variant="headingSm">
                {acrossPages ? `All ${formatCount(page.total)} matching lines selected` : `${selected.length} selected`}
              </Text>
              <TextField label="Restock date" type="date" value={restockDate} onChange={setRestockDate} min={today} autoComplete="off" />
              <Button onClick={() => run("restock-date", { restockDate })} disabled={!restockDate || busy}>
                Set restock date
              </Button>
              <Button onClick={() => run("notified")} disabled={busy}>
                Mark notified
              </Button>
              <Button tone="critical" onClick={() => run("cancel")} disabled={busy}>
                {acrossPages ? `Request cancellation of all ${formatCount(page.total)}` : "Request cancellation"}
              </Button>
            </InlineStack>
          </Card>
        ) : null}
        <Card padding="0">
          <IndexTable
            resourceName={{ singular: "line", plural: "lines" }}
            itemCount={rows.length}
            selectedItemsCount={allResourcesSelected ? "All" : selectedResources.length}
            onSelectionChange={handleSelectionChange}
            hasMoreItems={hasMore}
            paginatedSelectAllActionText={`Select all ${formatCount(page.total)} lines matching the filter`}
            paginatedSelectAllText={`All ${formatCount(page.total)} lines matching the filter are selected.`}
            emptyState={
              <BlockStack gap="200" inlineAlign="center">
                <Text as="p" variant="headingMd">
                  No lines match these filters
                </Text>
                <Button url="/app/queue">Clear filters</Button>
              </BlockStack>
            }
            headings={[
              { title: "Order" },
              { title: "Customer" },
              { title: "Variant" },
              { title: "Waiting", alignment: "end" },
              { title: "Position", alignment: "end" },
              { title: "Ships" },
              { title: "Age", alignment: "end" },
              { title: "State" },
            ]}
          >
            {rows.map((r, i) => (
              <IndexTable.Row id={r.lineItemId} key={r.lineItemId} position={i} selected={selected.includes(r.lineItemId)}>
                <IndexTable.Cell>
                  <BlockStack gap="050">
                    <Link
                      url={`/app/lines/${r.lineItemId}`}
                      removeUnderline
                      accessibilityLabel={`History of ${r.orderName}, ${r.productTitle}`}
                    >
                      <Text as="span" fontWeight="semibold">
                        {r.orderName}
                      </Text>
                    </Link>
                    <Text as="span" variant="bodySm" tone="subdued">
                      {formatMoney(Number(r.unitPrice) * r.quantity, r.currency)}
                    </Text>
                  </BlockStack>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <BlockStack gap="050">
                    <Text as="span">{r.customerName ?? "—"}</Text>
                    <Text as="span" variant="bodySm" tone="subdued">
                      {r.customerEmail ?? ""}
                    </Text>
                  </BlockStack>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <BlockStack gap="050">
                    <Text as="span">{r.variantTitle ? `${r.productTitle} — ${r.variantTitle}` : r.productTitle}</Text>
                    <Text as="span" variant="bodySm" tone="subdued">
                      {r.sku ?? ""}
                    </Text>
                  </BlockStack>
                </IndexTable.Cell>
                <NumericCell>
                  {r.waitingQuantity} of {r.quantity}
                </NumericCell>
                <NumericCell>{r.position ?? "—"}</NumericCell>
                <IndexTable.Cell>{formatCalendarDate(r.eta)}</IndexTable.Cell>
                <NumericCell>{r.ageDays} d</NumericCell>
                <IndexTable.Cell>
                  <InlineStack gap="100" wrap={false}>
                    {stateBadge(r.state)}
                    {r.notifiedAt ? <Badge tone="success">Notified</Badge> : null}
                    {r.cancellation === "requested" ? <Badge tone="warning">Cancel requested</Badge> : null}
                    {r.cancellation === "failed" ? <Badge tone="critical">Cancel failed</Badge> : null}
                    {r.consent ? consentBadge(r.consent) : null}
                  </InlineStack>
                </IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        </Card>
        <InlineStack align="center">
          <Pagination
            hasPrevious={page.prevCursor !== null}
            previousURL={page.prevCursor ? pageLink("before", page.prevCursor) : undefined}
            hasNext={page.nextCursor !== null}
            nextURL={page.nextCursor ? pageLink("after", page.nextCursor) : undefined}
            label={`${formatCount(rows.length)} of ${formatCount(page.total)}`}
          />
        </InlineStack>
      </BlockStack>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError title="Queue" />;
}
