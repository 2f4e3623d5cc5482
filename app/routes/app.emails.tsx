// Customer emails: the opt-in, how mail leaves (the shop's SMTP server or the app's relay), when
// to write (threshold, delay limit), the texts per email and language with a live preview, and
// what went wrong (failed emails with a retry).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  ChoiceList,
  FormLayout,
  IndexTable,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useState } from "react";
import { requireShop } from "../auth/require-shop.server.ts";
import { db } from "../db/client.server.ts";
import {
  loadEmailPage,
  resetEmailTemplate,
  saveEmailSettings,
  saveEmailTemplate,
  type EmailSettingsField,
} from "../admin/emails.server.ts";
import { retryFailedEmails } from "../email/sender.server.ts";
import {
  EMAIL_KINDS,
  EMAIL_LANGUAGES,
  KIND_LABELS,
  LANGUAGE_LABELS,
  PLACEHOLDERS_OF,
  renderEmail,
  sampleEmailData,
  templateProblems,
} from "../email/templates.ts";
import type { EmailKind, EmailLanguage } from "../backorder/customer-emails.ts";
import { RouteError } from "../admin/ui/RouteError.tsx";

export const meta: MetaFunction = () => [{ title: "Emails · Backorder Queue" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireShop(request);
  return json(await loadEmailPage(db(), shop));
};

type ActionResult =
  | { intent: "settings"; ok: true }
  | { intent: "settings"; ok: false; errors: Partial<Record<EmailSettingsField, string>> }
  | { intent: "template"; ok: true }
  | { intent: "template"; ok: false; errors: { subject?: string; body?: string; kind?: string } }
  | { intent: "retry"; ok: true; retried: number };

const text = (form: FormData, name: string) => (typeof form.get(name) === "string" ? String(form.get(name)) : "");

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireShop(request);
  const form = await request.formData();
  const intent = form.get("intent");
  if (intent === "retry") {
    const ids = form.getAll("id").map(Number).filter(Number.isInteger);
    return json<ActionResult>({ intent: "retry", ok: true, retried: await retryFailedEmails(db(), shop, ids.length ? ids : undefined) });
  }
  if (intent === "template" || intent === "reset-template") {
    if (intent === "reset-template") {
      await resetEmailTemplate(db(), shop, text(form, "kind"), text(form, "language"));
      return json<ActionResult>({ intent: "template", ok: true });
    }
    const r = await saveEmailTemplate(db(), shop, text(form, "kind"), text(form, "language"), {
      subject: text(form, "subject"),
      body: text(form, "body"),
    });
    return json<ActionResult>(r.ok ? { intent: "template", ok: true } : { intent: "template", ok: false, errors: r.errors }, {
      status: r.ok ? 200 : 400,
    });
  }
  const r = await saveEmailSettings(db(), shop, form);
  return json<ActionResult>(r.ok ? { intent: "settings", ok: true } : { intent: "settings", ok: false, errors: r.errors }, {
    status: r.ok ? 200 : 400,
  });
};

function SettingsForm() {
  const { settings, relay } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const errors: Partial<Record<EmailSettingsField, string>> = result?.intent === "settings" && !result.ok ? result.errors : {};
  const [v, setV] = useState({
    smtpHost: settings.smtpHost,
    smtpPort: settings.smtpPort,
    smtpUser: settings.smtpUser,
    smtpPassword: "",
    fromAddress: settings.fromAddress,
    senderName: settings.senderName,
    changeThresholdDays: String(settings.changeThresholdDays),
    delayLimitDays: String(settings.delayLimitDays),
  });
  const [enabled, setEnabled] = useState(settings.enabled);
  const [secure, setSecure] = useState(settings.smtpSecure);
  const [transport, setTransport] = useState<string>(settings.transport);
  const set = (k: keyof typeof v) => (value: string) => setV((s) => ({ ...s, [k]: value }));
  const saving = navigation.state === "submitting" && navigation.formData?.get("intent") === "settings";
  return (
    <Form method="post" aria-label="Email settings">
      <input type="hidden" name="intent" value="settings" />
      <input type="hidden" name="enabled" value={enabled ? "on" : "off"} />
      <input type="hidden" name="smtpSecure" value={secure ? "on" : "off"} />
      <Card>
        <BlockStack gap="400">
          <Text as="h2" variant="headingMd">
            Sending
          </Text>
          {result?.intent === "settings" && result.ok ? <Banner tone="success">Email settings saved.</Banner> : null}
          <Checkbox
            label="Email customers about their backordered items"
            helpText="A confirmation with each item's ship date, date changes, delay notices with the choice to keep or cancel, and ready to ship."
            checked={enabled}
            onChange={setEnabled}
          />
          <ChoiceList
            title="Send through"
            name="transport"
            choices={[
              {
                label: relay.configured
                  ? `The app's mail relay${relay.from ? ` (from ${relay.from})` : ""}`
                  : "The app's mail relay (not configured)",
                value: "relay",
                disabled: !relay.configured,
              },
              { label: "Your own SMTP server", value: "smtp" },
            ]}
            selected={[transport]}
            onChange={(s) => setTransport(s[0] ?? "relay")}
            error={errors.transport}
          />
          {transport === "smtp" ? (
            <FormLayout>
              <FormLayout.Group>
                <TextField
                  label="SMTP host"
                  name="smtpHost"
                  value={v.smtpHost}
                  onChange={set("smtpHost")}
                  error={errors.smtpHost}
                  autoComplete="off"
                />
                <TextField
                  label="Port"
                  name="smtpPort"
                  value={v.smtpPort}
                  onChange={set("smtpPort")}
                  error={errors.smtpPort}
                  helpText="587 with STARTTLS, or 465 with SSL."
                  inputMode="numeric"
                  autoComplete="off"
                />
              </FormLayout.Group>
              <Checkbox label="SSL from the start (port 465)" checked={secure} onChange={setSecure} />
              <FormLayout.Group>
                <TextField label="User name" name="smtpUser" value={v.smtpUser} onChange={set("smtpUser")} autoComplete="off" />
                <TextField
                  label="Password"
                  name="smtpPassword"
                  type="password"
                  value={v.smtpPassword}
                  onChange={set("smtpPassword")}
                  helpText={settings.passwordSet ? "Stored (encrypted). Leave blank to keep it." : "Stored encrypted."}
                  autoComplete="new-password"
                />
              </FormLayout.Group>
            </FormLayout>
          ) : null}
          <FormLayout>
            <FormLayout.Group>
              <TextField
                label="From address"
                name="fromAddress"
                value={v.fromAddress}
                onChange={set("fromAddress")}
                error={errors.fromAddress}
                autoComplete="off"
              />
              <TextField
                label="Sender name"
                name="senderName"
                value={v.senderName}
                onChange={set("senderName")}
                error={errors.senderName}
                helpText="Also {{shop_name}} in the texts."
                autoComplete="off"
              />
            </FormLayout.Group>
            <FormLayout.Group>
              <TextField
                label="Tell a date change from (days)"
                name="changeThresholdDays"
                value={v.changeThresholdDays}
                onChange={set("changeThresholdDays")}
                error={errors.changeThresholdDays}
                helpText="Smaller moves are not emailed. At most one date change a day per order."
                inputMode="numeric"
                autoComplete="off"
              />
              <TextField
                label="Delay notice after (days from the order)"
                name="delayLimitDays"
                value={v.delayLimitDays}
                onChange={set("delayLimitDays")}
                error={errors.delayLimitDays}
                helpText="A date past this, or a promised date that passes, sends the delay notice with the keep / cancel links."
                inputMode="numeric"
                autoComplete="off"
              />
            </FormLayout.Group>
          </FormLayout>
          <InlineStack align="end">
            <Button submit variant="primary" loading={saving}>
              Save
            </Button>
          </InlineStack>
        </BlockStack>
      </Card>
    </Form>
  );
}

function TemplateEditor() {
  const { templates, shop, settings } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [kind, setKind] = useState<EmailKind>("confirmation");
  const [language, setLanguage] = useState<EmailLanguage>("en");
  const stored = templates[kind][language];
  const [edits, setEdits] = useState<Record<string, { subject: string; body: string }>>({});
  const key = `${kind}|${language}`;
  const current = edits[key] ?? { subject: stored.subject, body: stored.body };
  const edit = (field: "subject" | "body") => (value: string) => setEdits((e) => ({ ...e, [key]: { ...current, [field]: value } }));
  const problems = templateProblems(kind, current);
  const serverErrors = result?.intent === "template" && !result.ok ? result.errors : {};
  // The preview renders as the merchant types, with made-up data, exactly as the sender renders.
  const preview = renderEmail(kind, language, current, sampleEmailData(kind, settings.senderName || shop.replace(/\.myshopify\.com$/, "")));
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          Texts
        </Text>
        <Form method="post" aria-label="Email text">
          <input type="hidden" name="intent" value="template" />
          <input type="hidden" name="kind" value={kind} />
          <input type="hidden" name="language" value={language} />
          <BlockStack gap="300">
            <FormLayout.Group>
              <Select
                label="Email"
                options={EMAIL_KINDS.map((k) => ({ label: KIND_LABELS[k], value: k }))}
                value={kind}
                onChange={(k) => setKind(k as EmailKind)}
              />
              <Select
                label="Language"
                options={EMAIL_LANGUAGES.map((l) => ({ label: LANGUAGE_LABELS[l], value: l }))}
                value={language}
                onChange={(l) => setLanguage(l as EmailLanguage)}
              />
            </FormLayout.Group>
            <TextField
              label="Subject"
              name="subject"
              value={current.subject}
              onChange={edit("subject")}
              error={problems.subject ?? serverErrors.subject}
              autoComplete="off"
            />
            <TextField
              label="Body"
              name="body"
              value={current.body}
              onChange={edit("body")}
              multiline={10}
              error={problems.body ?? serverErrors.body}
              helpText={`Plain text. Placeholders: ${PLACEHOLDERS_OF[kind].map((p) => `{{${p}}}`).join(", ")}.`}
              autoComplete="off"
            />
            <InlineStack gap="200" align="end">
              {stored.custom ? <Badge tone="info">Your text</Badge> : <Badge>Default text</Badge>}
              <Button submit variant="primary" disabled={Object.keys(problems).length > 0}>
                Save text
              </Button>
            </InlineStack>
          </BlockStack>
        </Form>
        {stored.custom ? (
          <Form method="post" aria-label="Back to the default text">
            <input type="hidden" name="intent" value="reset-template" />
            <input type="hidden" name="kind" value={kind} />
            <input type="hidden" name="language" value={language} />
            <InlineStack align="end">
              <Button
                submit
                variant="tertiary"
                tone="critical"
                onClick={() => setEdits((e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== key)))}
              >
                Back to the default text
              </Button>
            </InlineStack>
          </Form>
        ) : null}
        <Box borderColor="border" borderWidth="025" borderRadius="200" padding="300">
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">
              Preview
            </Text>
            <Text as="p" fontWeight="semibold" id="email-preview-subject">
              {preview.subject}
            </Text>
            {/* The rendered HTML part in a sandboxed frame: no script, no navigation from the admin. */}
            <iframe
              title="Email preview"
              sandbox=""
              srcDoc={preview.html}
              style={{ width: "100%", height: 360, border: 0, background: "white" }}
            />
          </BlockStack>
        </Box>
      </BlockStack>
    </Card>
  );
}

function Outbox() {
  const { counts, failed, recent } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Outbox
        </Text>
        <InlineStack gap="200">
          <Badge tone="success">{`${counts.sent ?? 0} sent`}</Badge>
          <Badge tone="attention">{`${(counts.pending ?? 0) + (counts.sending ?? 0)} to send`}</Badge>
          <Badge tone={failed.length ? "critical" : undefined}>{`${counts.failed ?? 0} failed`}</Badge>
        </InlineStack>
        {result?.intent === "retry" ? <Banner tone="success">{`${result.retried} email(s) will be sent again.`}</Banner> : null}
        {failed.length ? (
          <BlockStack gap="200">
            <Banner tone="critical" title="Some emails could not be sent">
              The SMTP server refused them or did not answer, after several attempts. Check the settings above, then retry.
            </Banner>
            <IndexTable
              resourceName={{ singular: "failed email", plural: "failed emails" }}
              itemCount={failed.length}
              selectable={false}
              headings={[{ title: "Email" }, { title: "Order" }, { title: "Attempts" }, { title: "Error" }, { title: "" }]}
            >
              {failed.map((f, i) => (
                <IndexTable.Row id={String(f.id)} key={f.id} position={i}>
                  <IndexTable.Cell>{KIND_LABELS[f.kind as EmailKind] ?? f.kind}</IndexTable.Cell>
                  <IndexTable.Cell>{f.orderName}</IndexTable.Cell>
                  <IndexTable.Cell>{f.attempts}</IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" tone="critical" truncate>
                      {f.lastError ?? ""}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Form method="post">
                      <input type="hidden" name="intent" value="retry" />
                      <input type="hidden" name="id" value={f.id} />
                      <Button submit size="slim">
                        Retry
                      </Button>
                    </Form>
                  </IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
            <Form method="post">
              <input type="hidden" name="intent" value="retry" />
              <Button submit>Retry all failed emails</Button>
            </Form>
          </BlockStack>
        ) : null}
        {recent.length ? (
          <IndexTable
            resourceName={{ singular: "sent email", plural: "sent emails" }}
            itemCount={recent.length}
            selectable={false}
            headings={[{ title: "Sent" }, { title: "Email" }, { title: "Order" }, { title: "Subject" }]}
          >
            {recent.map((r, i) => (
              <IndexTable.Row id={String(r.id)} key={r.id} position={i}>
                <IndexTable.Cell>{r.sentAt ? new Date(r.sentAt).toLocaleString() : ""}</IndexTable.Cell>
                <IndexTable.Cell>{KIND_LABELS[r.kind as EmailKind] ?? r.kind}</IndexTable.Cell>
                <IndexTable.Cell>{r.orderName}</IndexTable.Cell>
                <IndexTable.Cell>{r.subject ?? "(erased)"}</IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        ) : (
          <Text as="p" tone="subdued">
            No email sent yet.
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}

export default function EmailsPage() {
  return (
    <Page title="Emails">
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <SettingsForm />
            <TemplateEditor />
            <Outbox />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError title="Emails" />;
}
