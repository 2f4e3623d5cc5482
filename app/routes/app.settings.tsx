// Shop-wide defaults, and the place where problems talking to Shopify show up with a retry.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  ChoiceList,
  FormLayout,
  IndexTable,
  InlineStack,
  Layout,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { NumericCell } from "../admin/ui/NumericCell.tsx";
import { useState } from "react";
import { requireShop } from "../auth/require-shop.server.ts";
import { DEFAULT_HOLD_MODE, HOLD_MODE } from "../backorder/hold-plan.ts";
import { db } from "../db/client.server.ts";
import { loadSettings, loadSyncProblems, retryHoldReleases, retryWebhookEvents, saveSettings } from "../admin/settings.server.ts";
import { loadUndoStatus, requestUndo, resumeApp } from "../admin/undo.server.ts";
import { INBOX_STATUS } from "../inbox/inbox-status.ts";
import { retryFailedSyncTasks } from "../sync/runner.server.ts";
import type { ShopSettingsField } from "../admin/shop-settings.ts";
import { RouteError } from "../admin/ui/RouteError.tsx";
import { SYNC_KIND } from "../sync/task-kind.ts";
import { SYNC_TASK_STATUS } from "../sync/task-status.ts";

export const meta: MetaFunction = () => [{ title: "Settings · Backorder Queue" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireShop(request);
  const [settings, problems, undo] = await Promise.all([
    loadSettings(db(), shop),
    loadSyncProblems(db(), shop),
    loadUndoStatus(db(), shop),
  ]);
  return json({ settings, problems, undo });
};

const FIELDS: ShopSettingsField[] = [
  "messageTemplate",
  "defaultLeadTimeDays",
  "processingDays",
  "autoEnableTag",
  "autoEnableCollectionId",
  "orderTag",
  "holdMode",
  "flowTriggers",
];

type ActionResult =
  | { intent: "save"; ok: true; resynced: number; ordersResynced: number }
  | { intent: "save"; ok: false; errors: Partial<Record<ShopSettingsField, string>> }
  | { intent: "retry"; ok: true; retried: number }
  | { intent: "undo"; ok: true }
  | { intent: "resume"; ok: true; variants: number; orders: number };

const ids = (form: FormData, name: string) => {
  const all = form.getAll(name).map(Number).filter(Number.isInteger);
  return all.length ? all : undefined;
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireShop(request);
  const form = await request.formData();
  const intent = form.get("intent");
  if (intent === "undo") {
    await requestUndo(db(), shop);
    return json<ActionResult>({ intent: "undo", ok: true });
  }
  if (intent === "resume") return json<ActionResult>({ intent: "resume", ok: true, ...(await resumeApp(db(), shop)) });
  if (intent === "retry-holds") return json<ActionResult>({ intent: "retry", ok: true, retried: await retryHoldReleases(db(), shop) });
  if (intent === "retry-tasks" || intent === "retry-events") {
    const retried =
      intent === "retry-tasks"
        ? await retryFailedSyncTasks(db(), shop, ids(form, "id"))
        : await retryWebhookEvents(db(), shop, ids(form, "id"));
    return json<ActionResult>({ intent: "retry", ok: true, retried });
  }
  const input = Object.fromEntries(FIELDS.map((f) => [f, form.has(f) ? String(form.get(f)) : null]));
  const result = await saveSettings(db(), shop, input);
  if (!result.ok) return json<ActionResult>({ intent: "save", ok: false, errors: result.errors }, { status: 400 });
  return json<ActionResult>({ intent: "save", ok: true, resynced: result.resynced ?? 0, ordersResynced: result.ordersResynced ?? 0 });
};

function DefaultsForm() {
  const { settings } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const errors = result && result.intent === "save" && !result.ok ? result.errors : {};
  const [v, setV] = useState({
    messageTemplate: settings.messageTemplate,
    defaultLeadTimeDays: String(settings.defaultLeadTimeDays),
    processingDays: String(settings.processingDays),
    autoEnableTag: settings.autoEnableTag ?? "",
    autoEnableCollectionId: settings.autoEnableCollectionId ?? "",
    orderTag: settings.orderTag,
  });
  const [holdMode, setHoldMode] = useState<string>(settings.holdMode);
  const [flowTriggers, setFlowTriggers] = useState<string>(settings.flowTriggers ? "on" : "off");
  const set = (k: keyof typeof v) => (value: string) => setV((s) => ({ ...s, [k]: value }));
  const saving = navigation.state === "submitting" && navigation.formData?.get("intent") === "save";
  return (
    <Form method="post" aria-label="Shop defaults">
      <input type="hidden" name="intent" value="save" />
      <BlockStack gap="400">
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              What customers are told
            </Text>
            <FormLayout>
              <TextField
                label="Message template"
                name="messageTemplate"
                value={v.messageTemplate}
                onChange={set("messageTemplate")}
                error={errors.messageTemplate}
                helpText="Shown under Add to cart for backorderable variants. {date} becomes the promised ship date."
                autoComplete="off"
              />
              <FormLayout.Group>
                <TextField
                  label="Default lead time (days)"
                  name="defaultLeadTimeDays"
                  value={v.defaultLeadTimeDays}
                  onChange={set("defaultLeadTimeDays")}
                  error={errors.defaultLeadTimeDays}
                  helpText="From reordering stock to having it, when a variant has no restock date."
                  inputMode="numeric"
                  autoComplete="off"
                />
                <TextField
                  label="Processing time (business days)"
                  name="processingDays"
                  value={v.processingDays}
                  onChange={set("processingDays")}
                  error={errors.processingDays}
                  helpText="From stock arriving to the parcel leaving."
                  inputMode="numeric"
                  autoComplete="off"
                />
              </FormLayout.Group>
            </FormLayout>
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Automatic backorders
            </Text>
            <FormLayout>
              <FormLayout.Group>
                <TextField
                  label="Product tag"
                  name="autoEnableTag"
                  value={v.autoEnableTag}
                  onChange={set("autoEnableTag")}
                  error={errors.autoEnableTag}
                  helpText="Products with this tag switch to backorder when they sell out."
                  autoComplete="off"
                />
                <TextField
                  label="Collection ID"
                  name="autoEnableCollectionId"
                  value={v.autoEnableCollectionId}
                  onChange={set("autoEnableCollectionId")}
                  error={errors.autoEnableCollectionId}
                  helpText="Or products in this collection. Its products are read from Shopify when you save and at each catalog sync."
                  autoComplete="off"
                />
              </FormLayout.Group>
            </FormLayout>
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Orders with backordered items
            </Text>
            <FormLayout>
              <TextField
                label="Order tag"
                name="orderTag"
                value={v.orderTag}
                onChange={set("orderTag")}
                error={errors.orderTag}
                helpText="Added to orders with backordered lines. Leave blank to not tag."
                autoComplete="off"
              />
              <ChoiceList
                title="Fulfillment holds while items wait for stock"
                name="holdMode"
                choices={HOLD_CHOICES}
                selected={[holdMode]}
                onChange={(v) => setHoldMode(v[0] ?? DEFAULT_HOLD_MODE)}
                error={errors.holdMode}
              />
            </FormLayout>
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Shopify Flow
            </Text>
            <ChoiceList
              title="Flow triggers"
              name="flowTriggers"
              choices={FLOW_CHOICES}
              selected={[flowTriggers]}
              onChange={(v) => setFlowTriggers(v[0] ?? "on")}
              error={errors.flowTriggers}
            />
          </BlockStack>
        </Card>
        <InlineStack align="end">
          <Button submit variant="primary" loading={saving}>
            Save
          </Button>
        </InlineStack>
      </BlockStack>
    </Form>
  );
}

const FLOW_CHOICES = [
  {
    label: "Send Flow triggers",
    value: "on",
    helpText:
      "Backorder created, ship date changed, ready to ship and backorder cancelled start your Shopify Flow workflows (emails, SMS, Slack). Without a workflow on them, Shopify ignores them.",
  },
  { label: "Don't send them", value: "off" },
];

const HOLD_CHOICES = [
  {
    label: "Hold only the backordered items",
    value: HOLD_MODE.lines,
    helpText: "Shopify splits the order: items in stock can ship now, the backordered ones are held until stock is allocated.",
  },
  { label: "Hold the whole order", value: HOLD_MODE.order, helpText: "Nothing ships until every backordered item has stock." },
  { label: "Don't hold", value: HOLD_MODE.off, helpText: "Orders are only tagged; staff decide what to ship." },
];

/**
 * Before uninstalling: the undo and its progress, read from the app's records of what it set.
 * While paused the app sends Shopify nothing else; the queue keeps counting.
 */
function BeforeUninstalling() {
  const { undo } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const busy = (intent: string) => navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  const r = undo.remaining;
  const left = r.policies + r.metafields + r.taggedOrders + r.holds + r.promises;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Before uninstalling
        </Text>
        {!undo.pausedAt ? (
          <>
            <Text as="p">
              Uninstalling leaves what the app set in your store. Undo it first: each variant's inventory policy goes back to what it was
              before the app changed it, the app's storefront status is deleted from your variants, the order tag is removed from the orders
              the app tagged, and the app's fulfillment holds are released. From then on the app sends nothing to Shopify until you turn it
              back on.
            </Text>
            {undo.withoutOriginal > 0 ? (
              <Text as="p" tone="caution">
                {undo.withoutOriginal === 1 ? "1 variant was" : `${undo.withoutOriginal} variants were`} changed before the app recorded the
                earlier policy: {undo.withoutOriginal === 1 ? "it goes" : "they go"} back to "Stop selling when out of stock", Shopify's
                default.
              </Text>
            ) : null}
            <InlineStack align="end">
              <Form method="post">
                <input type="hidden" name="intent" value="undo" />
                <Button submit tone="critical" loading={busy("undo")}>
                  Undo the app's changes before uninstalling
                </Button>
              </Form>
            </InlineStack>
          </>
        ) : (
          <>
            {undo.undoneAt && left === 0 ? (
              <Banner tone="success" title="The app's changes are undone.">
                <p>
                  Finished {new Date(undo.undoneAt).toUTCString().replace(" GMT", " UTC")}. The app sends nothing to Shopify now: you can
                  uninstall it.
                </p>
              </Banner>
            ) : (
              <Banner
                tone={undo.task?.status === SYNC_TASK_STATUS.failed ? "critical" : "info"}
                title={undo.task?.status === SYNC_TASK_STATUS.failed ? "The undo stopped." : "Undoing the app's changes…"}
              >
                <p>
                  Left: {r.policies} inventory policies, {r.metafields} storefront statuses, {r.taggedOrders} order tags, {r.holds}{" "}
                  fulfillment holds, {r.promises} order promises.
                </p>
                {undo.task?.lastError ? (
                  <p>Last problem: {undo.task.lastError}. It is retried; the retry is also under Sync problems.</p>
                ) : null}
              </Banner>
            )}
            <Text as="p" tone="subdued">
              The app is paused since {new Date(undo.pausedAt).toUTCString().replace(" GMT", " UTC")}: new orders still join the queue, but
              nothing is sent to Shopify. Turning it back on sets backorder policies, storefront statuses, tags and holds again.
            </Text>
            <InlineStack align="end" gap="200">
              {undo.task?.status === SYNC_TASK_STATUS.failed ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="undo" />
                  <Button submit loading={busy("undo")}>
                    Run the undo again
                  </Button>
                </Form>
              ) : null}
              <Form method="post">
                <input type="hidden" name="intent" value="resume" />
                <Button submit loading={busy("resume")}>
                  Turn the app back on
                </Button>
              </Form>
            </InlineStack>
          </>
        )}
      </BlockStack>
    </Card>
  );
}

function RetryButton({ intent, id, label }: { intent: string; id?: number; label: string }) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={intent} />
      {id !== undefined ? <input type="hidden" name="id" value={id} /> : null}
      <Button submit size="slim" accessibilityLabel={label}>
        Retry
      </Button>
    </Form>
  );
}

function SyncProblems() {
  const { problems } = useLoaderData<typeof loader>();
  const none = problems.taskCount === 0 && problems.eventCount === 0 && problems.holdCount === 0;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Sync problems
        </Text>
        {none ? (
          <Text as="p" tone="subdued">
            Everything is in sync with Shopify.
          </Text>
        ) : null}
        {problems.taskCount > 0 ? (
          <BlockStack gap="200">
            <InlineStack align="space-between" blockAlign="center">
              <Text as="h3" variant="headingSm">
                Updates Shopify did not accept ({problems.taskCount})
              </Text>
              <Form method="post">
                <input type="hidden" name="intent" value="retry-tasks" />
                <Button submit>Retry all</Button>
              </Form>
            </InlineStack>
            <IndexTable
              resourceName={{ singular: "update", plural: "updates" }}
              itemCount={problems.tasks.length}
              selectable={false}
              headings={[{ title: "What" }, { title: "Error" }, { title: "Attempts", alignment: "end" }, { title: "" }]}
            >
              {problems.tasks.map((t, i) => (
                <IndexTable.Row id={String(t.id)} key={t.id} position={i}>
                  <IndexTable.Cell>
                    <Text as="span">{taskLabel(t.kind, t.targetId)}</Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" tone="critical" breakWord>
                      {t.lastError ?? "Unknown error"}
                    </Text>
                  </IndexTable.Cell>
                  <NumericCell>{t.attempts}</NumericCell>
                  <IndexTable.Cell>
                    <RetryButton intent="retry-tasks" id={t.id} label={`Retry ${taskLabel(t.kind, t.targetId)}`} />
                  </IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          </BlockStack>
        ) : null}
        {problems.eventCount > 0 ? (
          <BlockStack gap="200">
            <InlineStack align="space-between" blockAlign="center">
              <Text as="h3" variant="headingSm">
                Shopify events we could not process ({problems.eventCount})
              </Text>
              <Form method="post">
                <input type="hidden" name="intent" value="retry-events" />
                <Button submit>Retry all</Button>
              </Form>
            </InlineStack>
            <IndexTable
              resourceName={{ singular: "event", plural: "events" }}
              itemCount={problems.events.length}
              selectable={false}
              headings={[{ title: "Event" }, { title: "Error" }, { title: "Status" }, { title: "" }]}
            >
              {problems.events.map((e, i) => (
                <IndexTable.Row id={String(e.id)} key={e.id} position={i}>
                  <IndexTable.Cell>
                    <BlockStack gap="050">
                      <Text as="span">{e.topic}</Text>
                      <Text as="span" variant="bodySm" tone="subdued">
                        {new Date(e.receivedAt).toUTCString().replace(" GMT", " UTC")}
                      </Text>
                    </BlockStack>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" tone="critical" breakWord>
                      {e.lastError ?? "Unknown error"}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <EventStatus status={e.status} />
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <RetryButton intent="retry-events" id={e.id} label={`Retry ${e.topic} event ${e.id}`} />
                  </IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          </BlockStack>
        ) : null}
        {problems.holdCount > 0 ? (
          <BlockStack gap="200">
            <InlineStack align="space-between" blockAlign="center">
              <Text as="h3" variant="headingSm">
                Fulfillment holds Shopify did not release ({problems.holdCount})
              </Text>
              <Form method="post">
                <input type="hidden" name="intent" value="retry-holds" />
                <Button submit>Retry all</Button>
              </Form>
            </InlineStack>
            <IndexTable
              resourceName={{ singular: "hold", plural: "holds" }}
              itemCount={problems.holds.length}
              selectable={false}
              headings={[{ title: "Order" }, { title: "Error" }]}
            >
              {problems.holds.map((h, i) => (
                <IndexTable.Row id={h.fulfillmentOrderId} key={h.fulfillmentOrderId} position={i}>
                  <IndexTable.Cell>
                    <Text as="span">Order {h.orderId}</Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" tone="critical" breakWord>
                      {h.releaseError}
                    </Text>
                  </IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          </BlockStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}

/** Rejected: Shopify's payload could not be read or mapped; a retry helps once a fix is deployed. */
function EventStatus({ status }: { status: string }) {
  if (status === INBOX_STATUS.rejected) return <Badge tone="critical">Could not be read</Badge>;
  if (status === INBOX_STATUS.dead) return <Badge tone="critical">Gave up</Badge>;
  return <Badge tone="warning">Retrying</Badge>;
}

function taskLabel(kind: string, targetId: string): string {
  const id = targetId.replace(/^gid:\/\/shopify\/\w+\//, "");
  switch (kind) {
    case SYNC_KIND.variant:
      return `Variant ${id}: backorder policy and storefront status`;
    case SYNC_KIND.stopSelling:
      return `Variant ${id}: stop selling (backorder limit reached or backorders off)`;
    case SYNC_KIND.order:
      return `Order ${id}: tag and fulfillment holds`;
    case SYNC_KIND.orderCancel:
      return `Order ${id}: cancellation`;
    case SYNC_KIND.undo:
      return "Undo of the app's changes (before uninstalling)";
    case SYNC_KIND.shop:
      return "Shipping of mixed carts, for the storefront's cart notice";
    case SYNC_KIND.flow: {
      const [handle, line, date] = targetId.split("|");
      return `Flow trigger ${handle} for line ${line} (${date})`;
    }
    default:
      return `${kind} ${id}`;
  }
}

export default function Settings() {
  const result = useActionData<typeof action>();
  return (
    <Page title="Settings">
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result?.ok && result.intent === "save" ? (
              <Banner tone="success" title="Settings saved.">
                {result.resynced > 0 ? (
                  <p>{result.resynced} variants will show the new wording or dates on the storefront shortly.</p>
                ) : null}
                {result.ordersResynced > 0 ? (
                  <p>{result.ordersResynced} orders will get the new tag and hold setting in Shopify shortly.</p>
                ) : null}
              </Banner>
            ) : null}
            {result?.ok && result.intent === "retry" ? <Banner tone="info" title={`${result.retried} queued to retry now.`} /> : null}
            {result?.ok && result.intent === "undo" ? (
              <Banner tone="info" title="The undo is queued; the app sends nothing else to Shopify from now on." />
            ) : null}
            {result?.ok && result.intent === "resume" ? (
              <Banner
                tone="success"
                title={`The app is back on: ${result.variants} variants and ${result.orders} orders are being updated in Shopify.`}
              />
            ) : null}
            {result && !result.ok ? <Banner tone="critical" title="Some settings need a fix before they can be saved." /> : null}
            <DefaultsForm />
          </BlockStack>
        </Layout.Section>
        <Layout.Section>
          <SyncProblems />
        </Layout.Section>
        <Layout.Section>
          <BeforeUninstalling />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError title="Settings" />;
}
