// Flow triggers: which line changes start which trigger, the once-only key, and the
// payload, checked against what the trigger extensions under extensions/flow-* declare
// (the same check the stand-in applies to every flowTriggerReceive).
import { describe, expect, it } from "vitest";
import {
  FLOW_TRIGGER_NAMES,
  FLOW_TRIGGERS,
  flowKeyId,
  handleOfDefinition,
  flowPayload,
  parseFlowKey,
  shipDateChanges,
  triggersOf,
  type FlowKey,
  type FlowLineFacts,
} from "../../app/backorder/flow-triggers.ts";
import { declaredFlowTriggers, FLOW_PAYLOAD_MAX_BYTES, flowPayloadErrors } from "../../dev/admin-standin/flow-triggers.ts";

const line: FlowLineFacts = {
  orderId: "450789469",
  orderName: "#1001",
  orderedAt: new Date("2026-11-27T14:00:01Z"),
  customerId: "207119551",
  productId: "632910392",
  variantId: "20000",
  title: "Drop 0",
  openQuantity: 2,
  waitingQuantity: 1,
  shipDate: "2026-12-15",
};
const key = (handle: FlowKey["handle"], date = "2026-11-28"): FlowKey => ({ handle, lineItemId: "2000000", date });
const payloadOf = (k: FlowKey, l: FlowLineFacts = line) => {
  const r = flowPayload(k, l);
  if ("skip" in r) throw new Error(r.skip);
  return r.payload;
};

describe("triggersOf", () => {
  const base = { lineItemId: "1", fromState: null, toState: "waiting", firstBackordered: false, day: "2026-11-28" };
  it("starts 'created' only the first time a line waits", () => {
    expect(triggersOf({ ...base, firstBackordered: true }).map((k) => k.handle)).toEqual([FLOW_TRIGGERS.created]);
    // Waiting again after a restock was taken back: not a new backorder.
    expect(triggersOf({ ...base, fromState: "allocated" })).toEqual([]);
  });
  it("starts 'ready' and 'cancelled' only for lines that were waiting", () => {
    expect(triggersOf({ ...base, fromState: "waiting", toState: "allocated" }).map((k) => k.handle)).toEqual([FLOW_TRIGGERS.ready]);
    expect(triggersOf({ ...base, fromState: "waiting", toState: "cancelled" }).map((k) => k.handle)).toEqual([FLOW_TRIGGERS.cancelled]);
    expect(triggersOf({ ...base, fromState: null, toState: "allocated" })).toEqual([]);
    expect(triggersOf({ ...base, fromState: "allocated", toState: "cancelled" })).toEqual([]);
    expect(triggersOf({ ...base, fromState: "waiting", toState: "fulfilled" })).toEqual([]);
  });
  it("keys each trigger by line and day", () => {
    expect(triggersOf({ ...base, fromState: "waiting", toState: "allocated", day: "2026-12-01" })).toEqual([
      { handle: FLOW_TRIGGERS.ready, lineItemId: "1", date: "2026-12-01" },
    ]);
  });
});

describe("flow keys", () => {
  it("round-trip, and refuse anything else", () => {
    const k = key(FLOW_TRIGGERS.shipDateChanged, "2026-12-22");
    expect(parseFlowKey(flowKeyId(k))).toEqual(k);
    expect(parseFlowKey("order|1|2026-01-01")).toBeNull();
    expect(parseFlowKey("ready-to-ship|1")).toBeNull();
    expect(parseFlowKey("ready-to-ship|1|2026-01-01|x")).toBeNull();
  });
});

describe("shipDateChanges", () => {
  it("keys a moved date by the new date; a first date or a date gone is not a change", () => {
    expect(
      shipDateChanges([
        { lineItemId: "a", before: "2026-12-15", now: "2026-12-22" },
        { lineItemId: "b", before: null, now: "2026-12-22" },
        { lineItemId: "c", before: "2026-12-15", now: "2026-12-15" },
        { lineItemId: "d", before: "2026-12-15", now: null },
      ]),
    ).toEqual([{ handle: FLOW_TRIGGERS.shipDateChanged, lineItemId: "a", date: "2026-12-22" }]);
  });
});

describe("payloads against the trigger extensions", () => {
  const declared = declaredFlowTriggers();

  it("declares one extension per trigger the app sends, and no other", () => {
    expect([...declared.keys()].sort()).toEqual(Object.values(FLOW_TRIGGERS).sort());
  });

  it("knows each trigger by the name merchants see in Flow, as lifecycle callbacks name it", () => {
    for (const [handle, t] of declared) expect(FLOW_TRIGGER_NAMES[handle as keyof typeof FLOW_TRIGGER_NAMES]).toBe(t.name);
    expect(handleOfDefinition("Backorder ready to ship")).toBe(FLOW_TRIGGERS.ready);
    expect(handleOfDefinition(FLOW_TRIGGERS.ready)).toBe(FLOW_TRIGGERS.ready);
    expect(handleOfDefinition("Add row to spreadsheet")).toBeNull();
  });

  it.each(Object.values(FLOW_TRIGGERS))("%s: the payload has exactly the declared fields, typed", (handle) => {
    const p = payloadOf(key(handle));
    expect(flowPayloadErrors(declared.get(handle)!, p)).toEqual([]);
    expect(Object.keys(p).sort()).toEqual(
      declared
        .get(handle)!
        .fields.map((f) => f.payloadKey)
        .sort(),
    );
  });

  it("carries Flow's references as numeric ids, and the dates of the key", () => {
    expect(payloadOf(key(FLOW_TRIGGERS.created))).toMatchObject({
      order_id: 450789469,
      customer_id: 207119551,
      product_id: 632910392,
      "Variant ID": "gid://shopify/ProductVariant/20000",
      "Ship date": "2026-12-15",
    });
    expect(payloadOf(key(FLOW_TRIGGERS.shipDateChanged, "2026-12-22"))["Ship date"]).toBe("2026-12-22");
    expect(payloadOf(key(FLOW_TRIGGERS.ready))["Ready on"]).toBe("2026-11-28");
    expect(payloadOf(key(FLOW_TRIGGERS.cancelled))["Cancelled on"]).toBe("2026-11-28");
    expect(payloadOf(key(FLOW_TRIGGERS.created), { ...line, orderId: "gid://shopify/Order/450789469" }).order_id).toBe(450789469);
  });

  it("is not sent without a customer or product to reference, or with an id past 2^53", () => {
    expect(flowPayload(key(FLOW_TRIGGERS.created), { ...line, customerId: null })).toHaveProperty("skip");
    expect(flowPayload(key(FLOW_TRIGGERS.created), { ...line, productId: null })).toHaveProperty("skip");
    expect(flowPayload(key(FLOW_TRIGGERS.created), { ...line, orderId: "9223372036854775807" })).toHaveProperty("skip");
  });

  it("stays far under Flow's payload limit with the longest titles the app keeps", () => {
    const p = payloadOf(key(FLOW_TRIGGERS.created), { ...line, title: "x".repeat(5000), orderName: "#".repeat(5000) });
    expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThan(2_000);
  });

  it("the stand-in refuses a missing, mistyped, undeclared or oversized field", () => {
    const t = declared.get(FLOW_TRIGGERS.ready)!;
    const good = payloadOf(key(FLOW_TRIGGERS.ready));
    const { customer_id: _dropped, ...missing } = good;
    expect(flowPayloadErrors(t, missing)).toEqual(["customer_id is missing"]);
    expect(flowPayloadErrors(t, { ...good, order_id: "450789469" })).toEqual(["order_id must be the numeric id of the order"]);
    expect(flowPayloadErrors(t, { ...good, "Quantity waiting": "1" })).toEqual(["Quantity waiting must be a number (number_decimal)"]);
    expect(flowPayloadErrors(t, { ...good, "Ship date": "2026-12-15" })).toEqual(["Ship date is not a field of trigger ready-to-ship"]);
    expect(flowPayloadErrors(t, { ...good, "Item title": "x".repeat(FLOW_PAYLOAD_MAX_BYTES) })[0]).toMatch(/limit/);
    expect(flowPayloadErrors(t, [good])).toEqual(["payload must be a JSON object"]);
  });
});
