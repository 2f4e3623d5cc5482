// The shop's SMTP password at rest: sealed, readable only with the app's secret, tamper-evident.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seal, unseal } from "../../app/email/secret-box.ts";

describe("secret box", () => {
  it("gives back what was sealed, and never shows it", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8 }), (password) => {
        const sealed = seal(password, "app-secret");
        expect(sealed).not.toContain(password);
        expect(unseal(sealed, "app-secret")).toBe(password);
      }),
    );
  });

  it("refuses another secret and an altered value", () => {
    const sealed = seal("hunter2", "app-secret");
    expect(() => unseal(sealed, "other-secret")).toThrow();
    const [v, iv, tag, data] = sealed.split(".");
    const flipped = data!.startsWith("A") ? `B${data!.slice(1)}` : `A${data!.slice(1)}`;
    expect(() => unseal([v, iv, tag, flipped].join("."), "app-secret")).toThrow();
    expect(() => unseal("hunter2", "app-secret")).toThrow("not a sealed value");
  });
});
