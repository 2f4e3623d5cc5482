// The Emails page in headless Chromium, served as the offline demo serves it: the preview
// follows the merchant's typing (rendered in the browser by the sender's renderer, escaped),
// a template with an unknown placeholder cannot be saved, a saved text and the settings
// survive a reload, a bad port is refused with the reason, and failed emails show with a retry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/db.ts";
import { launchChromium, startDevServer, type DevServer, openAdminPage } from "../admin/dev-server.ts";
import { screenshotPath } from "../storefront/browser.ts";

const SHOP = "emails-page.myshopify.com";
let t: TestDatabase;
let server: DevServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase("emails_page");
  await t.db.emailOutbox.create({
    data: {
      shop: SHOP,
      lineItemId: "1",
      orderId: "9",
      kind: "ready",
      promisedDate: "",
      status: "failed",
      attempts: 6,
      lastError: "451 Try again later",
    },
  });
  await t.db.emailOutbox.create({
    data: {
      shop: "neighbour.myshopify.com",
      lineItemId: "2",
      orderId: "8",
      kind: "ready",
      promisedDate: "",
      status: "failed",
      lastError: "neighbour's",
    },
  });
  [server, browser] = await Promise.all([startDevServer({ databaseUrl: t.url, shop: SHOP }), launchChromium()]);
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.on("pageerror", (e) => pageErrors.push(String(e)));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await t?.drop();
});

async function open() {
  await openAdminPage(page, `${server.url}/app/emails`);
}

const previewSubject = () => page.locator("#email-preview-subject").innerText();
const previewHtml = () => page.locator('iframe[title="Email preview"]').getAttribute("srcdoc");

describe("the Emails page", () => {
  it("previews the text as the merchant types, escaped, in the chosen language", async () => {
    await open();
    await expect(previewSubject()).resolves.toBe("Your order #1042: expected ship date");
    await page.getByLabel("Subject").fill("Order {{order_name}} <b>soon</b>");
    await expect.poll(previewSubject).toBe("Order #1042 <b>soon</b>");
    await page.getByLabel("Body").fill("Hi {{customer_name}} <script>x</script>\n{{items}}");
    await expect.poll(previewHtml).toContain("<p>Hi Ada Lovelace &lt;script&gt;x&lt;/script&gt;</p>");
    await expect.poll(previewHtml).toContain("<li>2 × Linen Shirt - M — ships December 15, 2026</li>");
    // What the merchant sees in the frame: the text, the script as text, nothing run.
    const frame = page.frameLocator('iframe[title="Email preview"]');
    await expect.poll(() => frame.locator("p").first().innerText()).toBe("Hi Ada Lovelace <script>x</script>");
    await expect(frame.locator("li").count()).resolves.toBe(2);
    await page.getByLabel("Language").selectOption("de");
    await expect.poll(previewSubject).toBe("Ihre Bestellung #1042: voraussichtliches Versanddatum");
    await page.getByLabel("Email", { exact: true }).selectOption("delay");
    await expect.poll(previewHtml).toContain(">Bestellung behalten</a>");
    expect(pageErrors).toEqual([]);
  });

  it("refuses an unknown placeholder before saving, and keeps a saved text", async () => {
    await open();
    await page.getByLabel("Subject").fill("Hello {{nickname}}");
    await expect.poll(() => page.getByText("Unknown placeholder: {{nickname}}.").count()).toBe(1);
    await expect(page.getByRole("button", { name: "Save text" }).isDisabled()).resolves.toBe(true);
    await page.getByLabel("Subject").fill("Thanks for order {{order_name}}");
    await page.getByRole("button", { name: "Save text" }).click();
    await expect.poll(() => page.getByText("Your text").count()).toBe(1);
    await open();
    await expect(page.getByLabel("Subject").inputValue()).resolves.toBe("Thanks for order {{order_name}}");
    const saved = await t.db.emailTemplate.findUniqueOrThrow({
      where: { shop_kind_locale: { shop: SHOP, kind: "confirmation", locale: "en" } },
    });
    expect(saved.subject).toBe("Thanks for order {{order_name}}");
  });

  it("saves the SMTP settings, refusing a bad port with the reason", async () => {
    await open();
    await page.getByText("Your own SMTP server").click(); // the label: Polaris draws its own radio over the input
    await page.getByLabel("SMTP host").fill("smtp.example.com");
    await page.getByRole("textbox", { name: "Port" }).fill("99999");
    await page.getByLabel("From address").fill("orders@example.com");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByText("A port from 1 to 65535").count()).toBe(1);
    expect(await t.db.emailSettings.count()).toBe(0);
    await page.getByRole("textbox", { name: "Port" }).fill("587");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByText("Email settings saved.").count()).toBe(1);
    expect(await t.db.emailSettings.findUnique({ where: { shop: SHOP } })).toMatchObject({
      transport: "smtp",
      smtpHost: "smtp.example.com",
      smtpPort: 587,
    });
  });

  it("shows the shop's failed emails (not another shop's) and retries them", async () => {
    await open();
    await expect(page.getByText("451 Try again later").count()).resolves.toBe(1);
    await expect(page.getByText("neighbour's").count()).resolves.toBe(0);
    if (testProvider() === "sqlite") await page.screenshot({ path: screenshotPath("emails.png"), fullPage: true });
    await page.getByRole("button", { name: "Retry all failed emails" }).click();
    await expect.poll(() => page.getByText("1 email(s) will be sent again.").count()).toBe(1);
    expect(await t.db.emailOutbox.findMany({ select: { shop: true, status: true }, orderBy: { id: "asc" } })).toEqual([
      { shop: SHOP, status: "pending" },
      { shop: "neighbour.myshopify.com", status: "failed" },
    ]);
  });
});
