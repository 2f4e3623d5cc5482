// The README's scope table ("Access scopes and API version") says why each scope is needed:
// it must list exactly the scopes shopify.app.toml requests, so a scope added or dropped
// there without a reason here fails.
import fs from "node:fs";
import toml from "toml";
import { describe, expect, it } from "vitest";

const config = toml.parse(fs.readFileSync("shopify.app.toml", "utf8")) as { access_scopes: { scopes: string } };
const requested = config.access_scopes.scopes.split(",").map((s) => s.trim());
const readme = fs.readFileSync("README.md", "utf8");

/** The first column of the table under "### Access scopes and API version". */
function tableScopes(): { scope: string; why: string }[] {
  const section = readme.slice(readme.indexOf("### Access scopes and API version"));
  const rows = section
    .slice(section.search(/^\|\s*scope\s*\|/m))
    .split("\n")
    .filter((l) => l.startsWith("|"))
    .slice(2);
  const end = rows.findIndex((l) => !/^\| `/.test(l));
  return (end === -1 ? rows : rows.slice(0, end)).map((l) => {
    const [, scope, why] = l.split("|").map((c) => c.trim());
    return { scope: scope!.replace(/`/g, ""), why: why ?? "" };
  });
}

describe("README scope table", () => {
  it("lists every scope shopify.app.toml requests, and no other, each with a reason", () => {
    const rows = tableScopes();
    expect(rows.map((r) => r.scope)).toEqual(requested);
    for (const r of rows) expect(r.why.length, r.scope).toBeGreaterThan(10);
  });
});
