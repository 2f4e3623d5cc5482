// Hand-made input at the admin's edges, through the real Remix loaders and actions on a
// real database: queue cursors edited in the URL, searches for LIKE's wildcards, CSV cells
// that a spreadsheet would run as formulas, and the login page of Shopify's auth flow.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedAdminShop } from "../../dev/seed/admin-shop.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

const SHOP = "inputs.myshopify.com";
const OTHER = "inputs-other.myshopify.com";
let t: TestDatabase;
type Args = { request: Request; params: Record<string, string>; context: Record<string, unknown> };
type Route = { loader?: (a: Args) => Promise<Response>; action?: (a: Args) => Promise<Response> };
let routes: Record<"queue" | "exportCsv" | "login", Route>;

// Lines whose text carries LIKE's wildcards and the escape character, and spreadsheet formulas.
const HOSTILE_NAMES = [
  "100% Wool Club",
  "snake_case Ltd",
  "Back\\slash Inc",
  '=HYPERLINK("http://evil","x")',
  ";=cmd|' /C calc'!A0",
  "\t=1+1",
  "Anne,=2+2",
];

beforeAll(async () => {
  t = await createTestDatabase("faults_admin");
  await seedAdminShop(t.db, { shop: SHOP, lines: 180, problems: false });
  await seedAdminShop(t.db, { shop: OTHER, lines: 30, problems: false });
  const lines = await t.db.backorderLine.findMany({
    where: { shop: SHOP, state: "waiting" },
    orderBy: { lineItemId: "asc" },
    take: HOSTILE_NAMES.length,
  });
  for (const [i, line] of lines.entries()) {
    await t.db.backorderLine.update({
      where: { shop_lineItemId: { shop: SHOP, lineItemId: line.lineItemId } },
      data: { customerName: HOSTILE_NAMES[i]! },
    });
  }
  // The other shop has a "%" too: a search never crosses shops.
  const other = await t.db.backorderLine.findFirstOrThrow({ where: { shop: OTHER, state: "waiting" } });
  await t.db.backorderLine.update({
    where: { shop_lineItemId: { shop: OTHER, lineItemId: other.lineItemId } },
    data: { customerName: "50% Off Other Shop" },
  });

  globalThis.__backorderDb = t.db;
  process.env.SHOPIFY_API_KEY ??= "test-key";
  process.env.SHOPIFY_API_SECRET ??= "test-secret";
  process.env.BACKORDER_DEMO_SHOP = SHOP;
  routes = {
    queue: await import("../../app/routes/app.queue.tsx"),
    exportCsv: await import("../../app/routes/app.queue.export.tsx"),
    login: await import("../../app/routes/auth.login.tsx"),
  } as unknown as typeof routes;
});
afterAll(async () => {
  delete process.env.BACKORDER_DEMO_SHOP;
  await t?.drop();
});

/** The route's answer as a status, whether it returned or threw a Response (Remix renders both). */
async function call(route: keyof typeof routes, path: string, init?: RequestInit): Promise<Response> {
  const r = routes[route];
  const fn = init?.method === "POST" ? r.action : r.loader;
  try {
    return await fn!({ request: new Request(`http://localhost${path}`, init), params: {}, context: {} });
  } catch (e) {
    if (e instanceof Response) return e;
    throw e; // Remix answers anything else with a 500
  }
}

interface PageJson {
  page: {
    rows: { lineItemId: string; customerName: string | null }[];
    total: number;
    nextCursor: string | null;
    prevCursor: string | null;
  };
}
const page = async (path: string) => {
  const res = await call("queue", path);
  expect(res.status).toBe(200);
  return (await res.json()) as PageJson;
};
const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

describe("a hand-edited queue cursor", () => {
  // Each is ignored: the page starts from the first page, the export is the whole filtered
  // queue. Every case in both shapes: [value, id] (as cursors were written before they
  // named their sort) and [sort, value, id].
  const CASES: Record<string, [string, unknown, unknown] | string> = {
    "not base64 at all": "%%%not-a-cursor%%%",
    "base64 of garbage": b64("garbage"),
    "an object": b64({ v: 1, id: "1" }),
    "wrong value type": ["oldest", true, "1"],
    "a date that is not one": ["oldest", "not-a-date", "1"],
    "a date in year 275760": ["oldest", "+275760-09-13T00:00:00.000Z", "1"],
    "a date before 1970": ["oldest", "1969-12-31T23:59:59.000Z", "1"],
    "a number beyond JSON doubles": ["waiting", "1e999", "1"],
    "a number beyond int4": ["waiting", 99_999_999_999, "1"],
    "a fractional number": ["waiting", 2.5, "1"],
    "a negative number": ["waiting", -1, "1"],
    "an id that is no Shopify id": ["waiting", 3, "x".repeat(5000)],
    "an id of the wrong type": ["waiting", 3, 17],
    "a date given to the waiting sort": ["waiting", "2026-01-01T00:00:00.000Z", "1"],
    "a number given to the oldest sort": ["oldest", 3, "1"],
  };
  // "1e999" stands for the literal number: JSON.stringify cannot write it.
  const encode = (parts: unknown[]) => b64(JSON.stringify(parts).replace('"1e999"', "1e999"));
  const HOSTILE_CURSORS: Record<string, string> = {};
  for (const [name, c] of Object.entries(CASES)) {
    if (typeof c === "string") HOSTILE_CURSORS[name] = c;
    else {
      HOSTILE_CURSORS[`${name} [value, id]`] = encode([c[1], c[2]]);
      HOSTILE_CURSORS[`${name} [sort, value, id]`] = encode(c);
    }
  }
  const firstPages = new Map<string, Promise<PageJson>>();
  const firstPage = (sort: string) => {
    if (!firstPages.has(sort)) firstPages.set(sort, page(`/app/queue?state=all&sort=${sort}`));
    return firstPages.get(sort)!;
  };

  it.each(Object.entries(HOSTILE_CURSORS))("%s: the page answers its first page", async (_, cursor) => {
    for (const sort of ["oldest", "newest", "waiting"]) {
      const first = await firstPage(sort);
      for (const param of ["after", "before"]) {
        const edited = await page(`/app/queue?state=all&sort=${sort}&${param}=${encodeURIComponent(cursor)}`);
        expect(edited.page.rows.map((r) => r.lineItemId)).toEqual(first.page.rows.map((r) => r.lineItemId));
        expect(edited.page.prevCursor).toBeNull();
        expect(edited.page.total).toBe(first.page.total);
      }
    }
  });

  it("a cursor written for another sort is ignored, not misread as this sort's position", async () => {
    const byWaiting = await page("/app/queue?state=all&sort=waiting");
    const second = await page(`/app/queue?state=all&sort=waiting&after=${byWaiting.page.nextCursor}`);
    expect(second.page.rows[0]?.lineItemId).not.toBe(byWaiting.page.rows[0]?.lineItemId); // the cursor works for its sort
    for (const sort of ["oldest", "newest"]) {
      const first = await page(`/app/queue?state=all&sort=${sort}`);
      const misused = await page(`/app/queue?state=all&sort=${sort}&after=${byWaiting.page.nextCursor}`);
      expect(misused.page.rows.map((r) => r.lineItemId)).toEqual(first.page.rows.map((r) => r.lineItemId));
    }
  });

  it.each(Object.entries(HOSTILE_CURSORS))("%s: the export is the whole filtered queue", async (_, cursor) => {
    const plain = await (await call("exportCsv", "/app/queue/export?state=all&sort=waiting")).text();
    const res = await call(
      "exportCsv",
      `/app/queue/export?state=all&sort=waiting&after=${encodeURIComponent(cursor)}&before=${encodeURIComponent(cursor)}`,
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(plain);
  });
});

describe("queue search", () => {
  const names = async (q: string) => {
    const rows: string[] = [];
    let after: string | null = null;
    do {
      const json: PageJson = await page(`/app/queue?state=all&q=${encodeURIComponent(q)}${after ? `&after=${after}` : ""}`);
      rows.push(...json.page.rows.map((r) => r.customerName ?? ""));
      after = json.page.nextCursor;
    } while (after);
    return rows.sort();
  };

  it("finds a literal % or _ instead of matching every line", async () => {
    expect(await names("%")).toEqual(["100% Wool Club"]);
    expect(await names("0% wool")).toEqual(["100% Wool Club"]); // case still ignored
    expect(await names("_")).toEqual(["snake_case Ltd"]);
    expect(await names("E_C")).toEqual(["snake_case Ltd"]);
    expect(await names("%%")).toEqual([]);
    expect(await names("__")).toEqual([]);
  });

  it("finds a backslash as itself (PostgreSQL's LIKE escape character)", async () => {
    expect(await names("\\")).toEqual(["Back\\slash Inc"]);
    expect(await names("k\\s")).toEqual(["Back\\slash Inc"]);
    expect(await names("\\%")).toEqual([]);
  });

  it("the export and the bulk action see exactly the lines the page shows", async () => {
    const csv = await (await call("exportCsv", "/app/queue/export?state=all&q=%25")).text();
    expect(csv.trimEnd().split("\r\n")).toHaveLength(2); // header and the one "100%" line

    await t.db.backorderLine.updateMany({ data: { notifiedAt: null } });
    const body = new FormData();
    body.set("intent", "notified");
    body.set("scope", "filter");
    body.set("filters", "state=all&q=_");
    const res = await call("queue", "/app/queue", { method: "POST", body });
    expect(await res.json()).toMatchObject({ ok: true, count: 1 });
    const notified = await t.db.backorderLine.findMany({
      where: { notifiedAt: { not: null } },
      select: { shop: true, customerName: true },
    });
    expect(notified).toEqual([{ shop: SHOP, customerName: "snake_case Ltd" }]);
  });
});

describe("CSV export of hostile customer data", () => {
  it("neutralises every cell a spreadsheet would run as a formula, in any locale's separator", async () => {
    // A product title and a SKU of the catalog carry formulas too.
    const line = await t.db.backorderLine.findFirstOrThrow({ where: { shop: SHOP, customerName: "snake_case Ltd" } });
    await t.db.variant.update({
      where: { shop_variantId: { shop: SHOP, variantId: line.variantId } },
      data: { productTitle: "@SUM(1+1)*cmd|' /C calc'!A0", title: "-2+3" },
    });
    await t.db.backorderLine.update({
      where: { shop_lineItemId: { shop: SHOP, lineItemId: line.lineItemId } },
      data: { sku: "+1-1", customerEmail: "\r=1+1@example.com" },
    });

    const res = await call("exportCsv", "/app/queue/export?state=all&q=_");
    const csv = (await res.text()).replace(/^\uFEFF/, "");
    const row = parseCsv(csv)[1]!;
    expect(row.slice(2, 7)).toEqual(["snake_case Ltd", "'\r'=1+1@example.com", "'@SUM(1+1)*cmd|' /C calc'!A0", "'-2+3", "'+1-1"]);

    const all = (await (await call("exportCsv", "/app/queue/export?state=all")).text()).replace(/^\uFEFF/, "");
    const customers = parseCsv(all).map((r) => r[2]);
    expect(customers).toContain(`'=HYPERLINK("http://evil","x")`);
    expect(customers).toContain(`';'=cmd|' /C calc'!A0`);
    expect(customers).toContain("'\t'=1+1");
    expect(customers).toContain("Anne,'=2+2");
    // A spreadsheet set to split on ";" (or that ignores quotes) still sees no cell starting a formula.
    for (const separator of [",", ";", "\t"]) {
      for (const rawLine of all.split(/\r\n|\r|\n/)) {
        for (const cell of rawLine.split(separator))
          expect(cell.replace(/^"/, ""), `${JSON.stringify(separator)} ${rawLine}`).not.toMatch(/^[=+\-@]/);
      }
    }
  });
});

describe("GET /auth/login", () => {
  it("answers the login page with a shop field (Shopify's auth flow sends merchants there)", async () => {
    const res = await call("login", "/auth/login");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ errors: {} });
  });

  it("sends a known shop on to Shopify's install/auth, and refuses a bad one with a clear 400", async () => {
    const go = await call("login", "/auth/login?shop=my-store.myshopify.com");
    expect(go.status).toBe(302);
    expect(go.headers.get("location")).toMatch(/^https:\/\/admin\.shopify\.com\/store\/my-store\/oauth\/install\?client_id=/);

    const form = new FormData();
    form.set("shop", "my-store");
    const posted = await call("login", "/auth/login", { method: "POST", body: form });
    expect(posted.status).toBe(302);
    expect(posted.headers.get("location")).toContain("/store/my-store/");

    const bad = new FormData();
    bad.set("shop", "evil.example.com/<script>");
    const refused = await call("login", "/auth/login", { method: "POST", body: bad });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ errors: { shop: "Enter a shop domain like my-store.myshopify.com." } });

    const missing = await call("login", "/auth/login", { method: "POST", body: new FormData() });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ errors: { shop: "Enter your shop's domain to log in." } });
  });
});

/** RFC 4180, as a spreadsheet reads the file. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted) {
      cell += c;
    } else if (c === ",") {
      endCell();
    } else if (c === "\r" && text[i + 1] === "\n") {
      endCell();
      rows.push(row);
      row = [];
      i++;
    } else {
      cell += c;
    }
  }
  if (cell || row.length) {
    endCell();
    rows.push(row);
  }
  return rows;
}
