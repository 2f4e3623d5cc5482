// The delay notice's link token: it names the shop, the line and the promised date, and it
// expires; any change to it (or a token signed with another secret) is refused.
import crypto from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signConsentToken, verifyConsentToken, type ConsentClaim } from "../../app/consent/consent-token.ts";

const SECRET = "app-secret";
const claim: ConsentClaim = {
  shop: "north-wool.myshopify.com",
  lineItemId: "1234567890123",
  promisedDate: "2026-12-24",
  expiresAt: 2_000_000_000,
};

describe("consent token", () => {
  it("verifies what it signed, until it expires", () => {
    const token = signConsentToken(claim, SECRET);
    expect(verifyConsentToken(token, SECRET, claim.expiresAt)).toEqual({ ok: true, claim });
    expect(verifyConsentToken(token, SECRET, claim.expiresAt + 1)).toEqual({ ok: false, problem: "expired" });
  });

  it("refuses another secret's token as tampered", () => {
    expect(verifyConsentToken(signConsentToken(claim, "other"), SECRET, 0)).toEqual({ ok: false, problem: "tampered" });
  });

  it("refuses a token pointed at another line or given a longer life", () => {
    const [, mac] = signConsentToken(claim, SECRET).split(".");
    for (const changed of [
      { ...claim, lineItemId: "1234567890124" },
      { ...claim, expiresAt: claim.expiresAt + 86_400 },
    ]) {
      const [body] = signConsentToken(changed, SECRET).split(".");
      expect(verifyConsentToken(`${body}.${mac}`, SECRET, 0)).toEqual({ ok: false, problem: "tampered" });
    }
  });

  it("any single changed character is refused (never accepted as another claim)", () => {
    const token = signConsentToken(claim, SECRET);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.constantFrom(...alphabet), (i, c) => {
        fc.pre(token[i] !== c);
        const changed = token.slice(0, i) + c + token.slice(i + 1);
        const r = verifyConsentToken(changed, SECRET, 0);
        // Base64url's last character may carry unused bits: a change there can decode to the same bytes.
        if (r.ok) expect(r.claim).toEqual(claim);
        else expect(["tampered", "malformed"]).toContain(r.problem);
      }),
    );
  });

  it("round-trips any claim", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.stringMatching(/^\d{1,19}$/),
        fc.string(),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (shop, lineItemId, promisedDate, expiresAt) => {
          const c = { shop, lineItemId, promisedDate, expiresAt };
          expect(verifyConsentToken(signConsentToken(c, SECRET), SECRET, expiresAt)).toEqual({ ok: true, claim: c });
        },
      ),
    );
  });

  it("refuses malformed tokens", () => {
    for (const t of ["", ".", "abc", "a.b.c", "a b.c", `${Buffer.from("[1,2]").toString("base64url")}.x`]) {
      expect(verifyConsentToken(t, SECRET, 0).ok, t).toBe(false);
    }
    // Signed but not the four fields: malformed, not accepted.
    const body = Buffer.from(JSON.stringify(["shop", "1"])).toString("base64url");
    const mac = crypto.createHmac("sha256", SECRET).update(body).digest("base64url");
    expect(verifyConsentToken(`${body}.${mac}`, SECRET, 0)).toEqual({ ok: false, problem: "malformed" });
  });
});
