import { describe, expect, it } from "vitest";
import { desiredInventoryPolicy, parseInventoryPolicy, policyToRestore, shouldAutoEnable } from "../../app/backorder/inventory-policy.ts";

describe("desiredInventoryPolicy", () => {
  it("leaves variants the app does not manage alone", () => {
    expect(desiredInventoryPolicy({ policy: null, waitingUnits: 5 })).toBeNull();
  });
  it("continues selling while enabled and under the limit", () => {
    expect(desiredInventoryPolicy({ policy: { enabled: true, maxBackorder: null }, waitingUnits: 1000 })).toBe("CONTINUE");
    expect(desiredInventoryPolicy({ policy: { enabled: true, maxBackorder: 5 }, waitingUnits: 4 })).toBe("CONTINUE");
    expect(desiredInventoryPolicy({ policy: { enabled: true, maxBackorder: 5 }, waitingUnits: -3 })).toBe("CONTINUE");
  });
  it("denies at the limit and when disabled", () => {
    expect(desiredInventoryPolicy({ policy: { enabled: true, maxBackorder: 5 }, waitingUnits: 5 })).toBe("DENY");
    expect(desiredInventoryPolicy({ policy: { enabled: true, maxBackorder: 0 }, waitingUnits: 0 })).toBe("DENY");
    expect(desiredInventoryPolicy({ policy: { enabled: false, maxBackorder: null }, waitingUnits: 0 })).toBe("DENY");
  });
});

describe("shouldAutoEnable", () => {
  const base = { enabled: false, listed: false, productTags: "", autoEnableTag: null, inCollection: false, available: 0 };
  it("enables listed, tagged or collected variants that sold out", () => {
    expect(shouldAutoEnable({ ...base, listed: true })).toBe(true);
    expect(shouldAutoEnable({ ...base, inCollection: true })).toBe(true);
    expect(shouldAutoEnable({ ...base, productTags: "Summer, Preorder", autoEnableTag: " preorder " })).toBe(true);
    expect(shouldAutoEnable({ ...base, listed: true, available: -2 })).toBe(true);
  });
  it("does nothing while stock is left, off the rule, or already enabled", () => {
    expect(shouldAutoEnable({ ...base, listed: true, available: 1 })).toBe(false);
    expect(shouldAutoEnable({ ...base, productTags: "preorder-2025", autoEnableTag: "preorder" })).toBe(false);
    expect(shouldAutoEnable({ ...base, productTags: "preorder", autoEnableTag: "" })).toBe(false);
    expect(shouldAutoEnable({ ...base, listed: true, enabled: true })).toBe(false);
    expect(shouldAutoEnable({ ...base, inCollection: true, available: 3 })).toBe(false);
  });
});

describe("policyToRestore (the undo)", () => {
  it("puts back the recorded original, written either way Shopify writes it", () => {
    expect(policyToRestore("CONTINUE")).toBe("CONTINUE");
    expect(policyToRestore("continue")).toBe("CONTINUE");
    expect(policyToRestore("deny")).toBe("DENY");
  });
  it("falls back to DENY, Shopify's default, when no original was recorded or it is unreadable", () => {
    expect(policyToRestore(null)).toBe("DENY");
    expect(policyToRestore(undefined)).toBe("DENY");
    expect(policyToRestore("sometimes")).toBe("DENY");
    expect(parseInventoryPolicy(" Continue ")).toBe("CONTINUE");
    expect(parseInventoryPolicy("")).toBeNull();
  });
});
