// Per-variant backorder settings, edited one at a time or in bulk, with validation
// messages next to the field they are about.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  EmptyState,
  FormLayout,
  IndexTable,
  InlineStack,
  Page,
  Pagination,
  Select,
  Text,
  TextField,
  useIndexResourceState,
} from "@shopify/polaris";
import { NumericCell } from "../admin/ui/NumericCell.tsx";
import { useState } from "react";
import { requireShop } from "../auth/require-shop.server.ts";
import { db } from "../db/client.server.ts";
import { loadVariantsPage, saveVariantSettings, type VariantFilter, type VariantRow } from "../admin/variants.server.ts";
import { LEAD_TIME_MAX, MESSAGE_MAX, type VariantSettingsInput } from "../admin/variant-settings.ts";
import { formatCalendarDate } from "../admin/format.ts";
import { RouteError } from "../admin/ui/RouteError.tsx";

export const meta: MetaFunction = () => [{ title: "Variants · Backorder Queue" }];

const FILTERS: { value: VariantFilter; label: string }[] = [
  { value: "all", label: "All variants" },
  { value: "enabled", label: "Backorders on" },
  { value: "backordered", label: "With customers waiting" },
];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireShop(request);
  const params = new URL(request.url).searchParams;
  const filter = (FILTERS.find((f) => f.value === params.get("filter"))?.value ?? "all") as VariantFilter;
  const search = (params.get("q") ?? "").trim().slice(0, 100);
  const data = await loadVariantsPage(db(), shop, { search, filter, page: Number(params.get("page") ?? 1) });
  const catalogEmpty = data.total === 0 && !search && filter === "all";
  return json({ ...data, filter, search, catalogEmpty });
};

const FIELDS = ["enabled", "autoEnable", "maxBackorder", "restockDate", "incomingQuantity", "leadTimeDays", "message"] as const;

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireShop(request);
  const form = await request.formData();
  const input: VariantSettingsInput = Object.fromEntries(FIELDS.map((f) => [f, form.has(f) ? String(form.get(f)) : null]));
  const result = await saveVariantSettings(db(), shop, form.getAll("variantId").map(String), input);
  return json(result, { status: result.ok ? 200 : 400 });
};

const toggleValue = (b: boolean) => (b ? "on" : "off");
const numberText = (n: number | null) => (n === null ? "" : String(n));

function SettingsForm({ selected, defaultLeadTimeDays, today }: { selected: VariantRow[]; defaultLeadTimeDays: number; today: string }) {
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const single = selected.length === 1 ? selected[0]! : null;
  const [values, setValues] = useState<Record<(typeof FIELDS)[number], string>>({
    enabled: single ? toggleValue(single.enabled) : "",
    autoEnable: single ? toggleValue(single.autoEnable) : "",
    maxBackorder: single ? numberText(single.maxBackorder) : "",
    restockDate: single?.restockDate ?? "",
    incomingQuantity: single ? numberText(single.incomingQuantity) : "",
    leadTimeDays: single ? numberText(single.leadTimeDays) : "",
    message: single?.message ?? "",
  });
  const errors = result && !result.ok ? result.errors : {};
  const set = (k: (typeof FIELDS)[number]) => (v: string) => setValues((s) => ({ ...s, [k]: v }));
  const keep = single ? [] : [{ value: "", label: "Keep each variant's setting" }];
  const blankHelp = single ? "Leave blank for none." : "Leave blank to keep each variant's value.";
  return (
    <Card>
      <Form method="post" aria-label="Backorder settings">
        <BlockStack gap="400">
          <Text as="h2" variant="headingMd">
            {single
              ? `Settings for ${single.productTitle}${single.title !== "Default Title" ? ` — ${single.title}` : ""}`
              : `Edit ${selected.length} variants`}
          </Text>
          {errors.form ? <Banner tone="critical" title={errors.form} /> : null}
          {selected.map((v) => (
            <input key={v.variantId} type="hidden" name="variantId" value={v.variantId} />
          ))}
          <FormLayout>
            <FormLayout.Group>
              <Select
                label="Backorders"
                name="enabled"
                value={values.enabled}
                onChange={set("enabled")}
                options={[...keep, { value: "on", label: "On: keep selling when out of stock" }, { value: "off", label: "Off" }]}
              />
              <Select
                label="Auto-enable at zero stock"
                name="autoEnable"
                value={values.autoEnable}
                onChange={set("autoEnable")}
                options={[...keep, { value: "on", label: "On" }, { value: "off", label: "Off" }]}
              />
            </FormLayout.Group>
            <FormLayout.Group>
              <TextField
                label="Backorder limit (units)"
                name="maxBackorder"
                value={values.maxBackorder}
                onChange={set("maxBackorder")}
                error={errors.maxBackorder}
                helpText={single ? "Leave blank for no limit." : blankHelp}
                inputMode="numeric"
                autoComplete="off"
              />
              <TextField
                label="Restock date"
                name="restockDate"
                type="date"
                min={today}
                value={values.restockDate}
                onChange={set("restockDate")}
                error={errors.restockDate}
                helpText={blankHelp}
                autoComplete="off"
              />
            </FormLayout.Group>
            <FormLayout.Group>
              <TextField
                label="Incoming quantity"
                name="incomingQuantity"
                value={values.incomingQuantity}
                onChange={set("incomingQuantity")}
                error={errors.incomingQuantity}
                helpText={`Units the restock brings. ${blankHelp}`}
                inputMode="numeric"
                autoComplete="off"
              />
              <TextField
                label="Lead time (days)"
                name="leadTimeDays"
                value={values.leadTimeDays}
                onChange={set("leadTimeDays")}
                error={errors.leadTimeDays}
                helpText={`0–${LEAD_TIME_MAX}. Blank uses the shop default (${defaultLeadTimeDays} days)${single ? "" : " or keeps each variant's value"}.`}
                inputMode="numeric"
                autoComplete="off"
              />
            </FormLayout.Group>
            <TextField
              label="Message on the product page"
              name="message"
              value={values.message}
              onChange={set("message")}
              error={errors.message}
              helpText={`Overrides the shop's message for ${single ? "this variant" : "these variants"}. ${blankHelp}`}
              maxLength={MESSAGE_MAX}
              showCharacterCount
              autoComplete="off"
            />
          </FormLayout>
          <InlineStack align="end">
            <Button submit variant="primary" loading={navigation.state === "submitting"}>
              Save
            </Button>
          </InlineStack>
        </BlockStack>
      </Form>
    </Card>
  );
}

function Filters({ filter, search }: { filter: string; search: string }) {
  const [q, setQ] = useState(search);
  const [f, setF] = useState(filter);
  return (
    <Form method="get" role="search" aria-label="Filter variants">
      <InlineStack gap="300" blockAlign="end">
        <div style={{ minWidth: 260 }}>
          <TextField label="Search" name="q" value={q} onChange={setQ} autoComplete="off" placeholder="Product, variant or SKU" />
        </div>
        <Select label="Show" name="filter" value={f} onChange={setF} options={FILTERS} />
        <Button submit>Apply</Button>
      </InlineStack>
    </Form>
  );
}

export default function Variants() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const { selectedResources, allResourcesSelected, handleSelectionChange } = useIndexResourceState(data.rows, {
    resourceIDResolver: (r) => r.variantId,
  });
  const selectedIds = allResourcesSelected ? data.rows.map((r) => r.variantId) : selectedResources;
  const selected = data.rows.filter((r) => selectedIds.includes(r.variantId));

  if (data.catalogEmpty) {
    return (
      <Page title="Variants">
        <Card>
          <EmptyState
            heading="Your catalog is on its way"
            image="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='226' height='226'/%3E"
          >
            <p>Products appear here once the first catalog sync with Shopify has finished. This usually takes a minute after install.</p>
          </EmptyState>
        </Card>
      </Page>
    );
  }

  const link = (page: number) => {
    const p = new URLSearchParams(params);
    p.set("page", String(page));
    return `?${p.toString()}`;
  };

  return (
    <Page title="Variants" subtitle="Which variants keep selling when they run out, and what customers are promised" fullWidth>
      <BlockStack gap="400">
        {result?.ok ? (
          <Banner tone="success" title={`Saved settings for ${result.saved} variant${result.saved === 1 ? "" : "s"}.`} />
        ) : null}
        <Card>
          <Filters key={`${data.filter}:${data.search}`} filter={data.filter} search={data.search} />
        </Card>
        {selected.length > 0 ? (
          <SettingsForm
            key={selected.map((s) => s.variantId).join(",")}
            selected={selected}
            defaultLeadTimeDays={data.defaultLeadTimeDays}
            today={data.today}
          />
        ) : (
          <Text as="p" tone="subdued">
            Select one variant to edit its settings, or several to change them together.
          </Text>
        )}
        <Card padding="0">
          <IndexTable
            resourceName={{ singular: "variant", plural: "variants" }}
            itemCount={data.rows.length}
            selectedItemsCount={allResourcesSelected ? "All" : selectedResources.length}
            onSelectionChange={handleSelectionChange}
            emptyState={
              <BlockStack gap="200" inlineAlign="center">
                <Text as="p" variant="headingMd">
                  No variants match
                </Text>
                <Button url="/app/variants">Show all variants</Button>
              </BlockStack>
            }
            headings={[
              { title: "Variant" },
              { title: "SKU" },
              { title: "Backorders" },
              { title: "Limit", alignment: "end" },
              { title: "Restock" },
              { title: "Incoming", alignment: "end" },
              { title: "Lead time", alignment: "end" },
              { title: "Waiting", alignment: "end" },
            ]}
          >
            {data.rows.map((v, i) => (
              <IndexTable.Row id={v.variantId} key={v.variantId} position={i} selected={selectedIds.includes(v.variantId)}>
                <IndexTable.Cell>
                  <BlockStack gap="050">
                    <Text as="span" fontWeight="semibold">
                      {v.productTitle}
                    </Text>
                    {v.title !== "Default Title" ? (
                      <Text as="span" variant="bodySm" tone="subdued">
                        {v.title}
                      </Text>
                    ) : null}
                  </BlockStack>
                </IndexTable.Cell>
                <IndexTable.Cell>{v.sku ?? "—"}</IndexTable.Cell>
                <IndexTable.Cell>
                  <InlineStack gap="100">
                    {v.enabled ? <Badge tone="success">On</Badge> : <Badge>Off</Badge>}
                    {v.autoEnable ? <Badge tone="info">Auto</Badge> : null}
                    {v.message ? <Badge>Own message</Badge> : null}
                  </InlineStack>
                </IndexTable.Cell>
                <NumericCell>{v.maxBackorder ?? "No limit"}</NumericCell>
                <IndexTable.Cell>{formatCalendarDate(v.restockDate)}</IndexTable.Cell>
                <NumericCell>{v.incomingQuantity ?? "—"}</NumericCell>
                <NumericCell>{v.leadTimeDays === null ? `${data.defaultLeadTimeDays} d (default)` : `${v.leadTimeDays} d`}</NumericCell>
                <NumericCell>{v.waitingUnits}</NumericCell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        </Card>
        <InlineStack align="center">
          <Pagination
            hasPrevious={data.page > 1}
            previousURL={link(data.page - 1)}
            hasNext={data.hasNext}
            nextURL={link(data.page + 1)}
            label={`Page ${data.page} · ${data.total} variants`}
          />
        </InlineStack>
      </BlockStack>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError title="Variants" />;
}
