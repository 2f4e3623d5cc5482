import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  desiredInventoryPolicy,
  INVENTORY_POLICY,
  mustStopSelling,
  parseInventoryPolicy,
  policyToRestore,
  shouldAutoEnable,
  type InventoryPolicy,
} from "../../app/backorder/inventory-policy.ts";

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

describe("mustStopSelling (the urgent DENY at a backorder limit)", () => {
  const shopifyPolicy = fc.constantFrom<InventoryPolicy | null>(INVENTORY_POLICY.continue, INVENTORY_POLICY.deny, null);
  const policy = fc.option(fc.record({ enabled: fc.boolean(), maxBackorder: fc.option(fc.nat(50), { nil: null }) }), { nil: null });
  const inputs = fc.record({ policy, waitingUnits: fc.integer({ min: -20, max: 80 }), shopifyPolicy });

  it("is exactly: the app wants DENY and Shopify may still be selling", () => {
    fc.assert(
      fc.property(inputs, (i) => {
        expect(mustStopSelling(i)).toBe(desiredInventoryPolicy(i) === "DENY" && i.shopifyPolicy !== "DENY");
      }),
    );
  });

  it("never for a variant the app does not manage, nor one Shopify already denies", () => {
    fc.assert(
      fc.property(inputs, (i) => {
        expect(mustStopSelling({ ...i, policy: null })).toBe(false);
        expect(mustStopSelling({ ...i, shopifyPolicy: "DENY" })).toBe(false);
      }),
    );
  });

  it("with backorders on, from the unit that reaches the limit on, and stays so as more wait", () => {
    fc.assert(
      fc.property(fc.nat(50), fc.integer({ min: -20, max: 80 }), fc.nat(30), (limit, waiting, more) => {
        const at = (w: number) =>
          mustStopSelling({ policy: { enabled: true, maxBackorder: limit }, waitingUnits: w, shopifyPolicy: "CONTINUE" });
        expect(at(waiting)).toBe(Math.max(0, waiting) >= limit); // stock left counts as nothing waiting
        if (at(waiting)) expect(at(waiting + more)).toBe(true);
      }),
    );
  });

  it("with backorders off, whatever waits, while Shopify is not known to deny", () => {
    fc.assert(
      fc.property(fc.option(fc.nat(50), { nil: null }), fc.integer({ min: -20, max: 80 }), (limit, waiting) => {
        const policy = { enabled: false, maxBackorder: limit };
        expect(mustStopSelling({ policy, waitingUnits: waiting, shopifyPolicy: "CONTINUE" })).toBe(true);
        expect(mustStopSelling({ policy, waitingUnits: waiting, shopifyPolicy: null })).toBe(true);
      }),
    );
  });

  it("a burst of orders asks for it once per variant: at the order that reaches the limit, then Shopify denies", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 60 }), (limit, orders) => {
        let shopify: InventoryPolicy = "CONTINUE";
        let waiting = 0;
        const askedAt: number[] = [];
        orders.forEach((qty, n) => {
          waiting += qty;
          if (mustStopSelling({ policy: { enabled: true, maxBackorder: limit }, waitingUnits: waiting, shopifyPolicy: shopify })) {
            askedAt.push(n);
            shopify = "DENY"; // the push landed
          }
        });
        const reaching = orders.findIndex((_, n) => orders.slice(0, n + 1).reduce((a, b) => a + b, 0) >= limit);
        expect(askedAt).toEqual(reaching === -1 ? [] : [reaching]);
      }),
    );
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
