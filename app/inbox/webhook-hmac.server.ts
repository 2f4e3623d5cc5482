// Shopify signs every webhook: base64 HMAC-SHA256 of the raw body bytes, keyed with the
// app's API secret, in X-Shopify-Hmac-Sha256. We check it ourselves, chunk by chunk as
// the body arrives, so a body never has to be held whole to be verified and no session
// or token is touched on the way.
import crypto from "node:crypto";

export const HMAC_HEADER = "X-Shopify-Hmac-Sha256";

// A SHA-256 digest (32 bytes) in padded base64 is 43 characters and one "=".
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

/** The digest the sender claims, or null when the header is missing or cannot be one. */
export function claimedSignature(headers: Headers): Buffer | null {
  const value = headers.get(HMAC_HEADER);
  return value !== null && BASE64_SHA256.test(value) ? Buffer.from(value, "base64") : null;
}

/** The HMAC of a body fed to it in chunks. */
export class BodySignature {
  readonly #hmac: crypto.Hmac;

  constructor(secret: string) {
    this.#hmac = crypto.createHmac("sha256", secret);
  }

  update(chunk: Uint8Array): void {
    this.#hmac.update(chunk);
  }

  /** After the last chunk: whether the body was signed with our secret (timing-safe). */
  matches(claimed: Buffer): boolean {
    const actual = this.#hmac.digest();
    return actual.length === claimed.length && crypto.timingSafeEqual(actual, claimed);
  }
}
