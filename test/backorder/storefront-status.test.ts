import { describe, expect, it } from "vitest";
import {
  DEFAULT_MESSAGE_TEMPLATE,
  storefrontStatus,
  type VariantFacts,
  type VariantPolicyFacts,
} from "../../app/backorder/storefront-status.ts";

const policy = (over: Partial<VariantPolicyFacts> = {}): VariantPolicyFacts => ({
  enabled: true,
  maxBackorder: null,
  restockDate: "2026-12-01",
  incomingQuantity: 30,
  leadTimeDays: null,
  message: null,
  ...over,
});

const facts = (over: Partial<VariantFacts> = {}): VariantFacts => ({
  available: -40,
  waitingUnits: 40,
  policy: policy(),
  shop: { messageTemplate: DEFAULT_MESSAGE_TEMPLATE, defaultLeadTimeDays: 14, processingDays: 1 },
  today: "2026-11-23",
  ...over,
});

describe("storefrontStatus", () => {
  it("says nothing while stock is left", () => {
    expect(storefrontStatus(facts({ available: 3, waitingUnits: 0 }))).toEqual({
      v: 1,
      state: "in_stock",
      eta: null,
      remaining: null,
      message: null,
    });
  });

  it("dates the next unit behind the queue: 40 waiting, 30 arriving → the cycle after", () => {
    // Restock Tue 12-01 covers units 1-30; unit 41 waits 14 days more (Tue 12-15) + 1 business day.
    expect(storefrontStatus(facts())).toEqual({ v: 1, state: "backorder", eta: "2026-12-16", remaining: null, message: null });
  });

  it("the first unit short of stock ships with the next restock", () => {
    expect(storefrontStatus(facts({ available: 0, waitingUnits: 0 })).eta).toBe("2026-12-02");
  });

  it("uses the shop's lead time when the variant has none, and the variant's when set", () => {
    const noDate = { restockDate: null };
    expect(storefrontStatus(facts({ waitingUnits: 0, available: 0, policy: policy(noDate) })).eta).toBe("2026-12-08");
    expect(storefrontStatus(facts({ waitingUnits: 0, available: 0, policy: policy({ ...noDate, leadTimeDays: 3 }) })).eta).toBe(
      "2026-11-27",
    );
  });

  it("is sold out when the limit is reached, and counts down remaining before it", () => {
    expect(storefrontStatus(facts({ policy: policy({ maxBackorder: 40 }) }))).toEqual({
      v: 1,
      state: "sold_out",
      eta: null,
      remaining: 0,
      message: null,
    });
    expect(storefrontStatus(facts({ policy: policy({ maxBackorder: 41 }) }))).toMatchObject({
      state: "backorder",
      remaining: 1,
      eta: "2026-12-16",
    });
  });

  it("is sold out when backorders are disabled or never configured and stock is gone", () => {
    expect(storefrontStatus(facts({ policy: policy({ enabled: false }) })).state).toBe("sold_out");
    expect(storefrontStatus(facts({ available: 0, waitingUnits: 0, policy: null })).state).toBe("sold_out");
  });

  it("a disabled variant with stock left is still in stock", () => {
    expect(storefrontStatus(facts({ available: 1, waitingUnits: 0, policy: policy({ enabled: false }) })).state).toBe("in_stock");
  });

  it("carries the variant's message, else the shop's changed template, else null for the theme's text", () => {
    expect(storefrontStatus(facts({ policy: policy({ message: "Pre-order: ships {date}" }) })).message).toBe("Pre-order: ships {date}");
    const shop = { messageTemplate: "Back soon, ~{date}", defaultLeadTimeDays: 14, processingDays: 1 };
    expect(storefrontStatus(facts({ shop })).message).toBe("Back soon, ~{date}");
    expect(storefrontStatus(facts()).message).toBeNull();
  });
});
