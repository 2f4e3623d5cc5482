// The token in a delay notice's "keep my order" / "cancel this item" links: which line, which
// promised date the customer was asked about, until when the link works. Signed with the app's
// secret (HMAC-SHA256), so a customer cannot point it at another line or stretch its life.
// The token names no action: both links carry the same token and the choice is the path, so
// one answer (keep or cancel) spends it. Whether it was already used is the consent records'
// business (app/consent), not the token's.
import crypto from "node:crypto";

export interface ConsentClaim {
  shop: string;
  lineItemId: string;
  /** The promised ship date (YYYY-MM-DD) the notice told the customer about. */
  promisedDate: string;
  /** Unix seconds after which the link no longer works. */
  expiresAt: number;
}

export type ConsentTokenProblem = "malformed" | "tampered" | "expired";

const b64url = (b: Buffer) => b.toString("base64url");

function mac(secret: string, body: string): Buffer {
  return crypto.createHmac("sha256", secret).update(body).digest();
}

export function signConsentToken(claim: ConsentClaim, secret: string): string {
  const body = b64url(Buffer.from(JSON.stringify([claim.shop, claim.lineItemId, claim.promisedDate, claim.expiresAt])));
  return `${body}.${b64url(mac(secret, body))}`;
}

export function verifyConsentToken(
  token: string,
  secret: string,
  nowSeconds: number,
): { ok: true; claim: ConsentClaim } | { ok: false; problem: ConsentTokenProblem } {
  const [body, signature, ...rest] = token.split(".");
  if (!body || !signature || rest.length > 0 || !/^[A-Za-z0-9_-]+$/.test(body + signature)) return { ok: false, problem: "malformed" };
  const expected = mac(secret, body);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return { ok: false, problem: "tampered" };
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return { ok: false, problem: "malformed" };
  }
  if (!Array.isArray(fields) || fields.length !== 4) return { ok: false, problem: "malformed" };
  const [shop, lineItemId, promisedDate, expiresAt] = fields as unknown[];
  if (typeof shop !== "string" || typeof lineItemId !== "string" || typeof promisedDate !== "string" || typeof expiresAt !== "number") {
    return { ok: false, problem: "malformed" };
  }
  if (nowSeconds > expiresAt) return { ok: false, problem: "expired" };
  return { ok: true, claim: { shop, lineItemId, promisedDate, expiresAt } };
}
