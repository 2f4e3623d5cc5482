// A shop's SMTP password is stored sealed (AES-256-GCM, key derived from the app's secret), so a
// copy of the database alone does not hand out the merchant's mail account.
import crypto from "node:crypto";

const keyOf = (appSecret: string) => crypto.createHash("sha256").update(`smtp-password\u0000${appSecret}`).digest();

export function seal(plain: string, appSecret: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", keyOf(appSecret), iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
}

/** Throws when the value was sealed with another secret or altered. */
export function unseal(sealed: string, appSecret: string): string {
  const [v, iv, tag, data] = sealed.split(".");
  if (v !== "v1" || !iv || !tag || data === undefined) throw new Error("not a sealed value");
  const decipher = crypto.createDecipheriv("aes-256-gcm", keyOf(appSecret), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
}
