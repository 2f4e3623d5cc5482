// The rules deciding which email a customer gets: properties over any dates, then the cases
// the decision record names.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  dateEmailFor,
  daysBetween,
  emailLanguage,
  emailRetryDelayMs,
  EMAIL_LANGUAGES,
  nextDateChangeAt,
  type DateMove,
} from "../../app/backorder/customer-emails.ts";
import { addDays } from "../../app/backorder/eta.ts";

const BASE = "2026-11-01";
const day = fc.integer({ min: 0, max: 400 }).map((n) => addDays(BASE, n));
const move = fc.record({
  before: fc.option(day, { nil: null }),
  told: fc.option(day, { nil: null }),
  now: day,
  today: day,
  orderedOn: day,
  thresholdDays: fc.integer({ min: 1, max: 30 }),
  limitDays: fc.integer({ min: 1, max: 120 }),
});

describe("dateEmailFor", () => {
  it("never announces a change smaller than the threshold, nor a date the customer already knows", () => {
    fc.assert(
      fc.property(move, (m: DateMove) => {
        const kind = dateEmailFor(m);
        const known = m.told ?? m.before;
        if (known === m.now) expect(kind).toBeNull();
        if (kind === "date_changed") expect(Math.abs(daysBetween(known!, m.now!))).toBeGreaterThanOrEqual(m.thresholdDays);
      }),
    );
  });

  it("sends a delay notice whenever the known date has passed and the new one is later", () => {
    fc.assert(
      fc.property(move, (m) => {
        const known = m.told ?? m.before;
        if (known !== null && known < m.today && m.now! > known) expect(dateEmailFor(m)).toBe("delay");
      }),
    );
  });

  it("sends a delay notice only for a later date past the limit, or a broken promise, or a first date past the limit", () => {
    fc.assert(
      fc.property(move, (m) => {
        if (dateEmailFor(m) !== "delay") return;
        const known = m.told ?? m.before;
        const limit = addDays(m.orderedOn, m.limitDays);
        if (known === null) expect(m.now! > limit).toBe(true);
        else expect(m.now! > known && (known < m.today || m.now! > limit)).toBe(true);
      }),
    );
  });

  it("confirms a first date within the limit; nothing without a date", () => {
    const m = { before: null, told: null, today: "2026-11-30", orderedOn: "2026-11-30", thresholdDays: 2, limitDays: 30 };
    expect(dateEmailFor({ ...m, now: "2026-12-15" })).toBe("confirmation");
    expect(dateEmailFor({ ...m, now: "2026-12-30" })).toBe("confirmation");
    expect(dateEmailFor({ ...m, now: "2026-12-31" })).toBe("delay");
    expect(dateEmailFor({ ...m, now: null })).toBeNull();
  });

  it("measures a move from the date last told, not the last stored (small steps add up)", () => {
    const m = { today: "2026-11-30", orderedOn: "2026-11-30", thresholdDays: 3, limitDays: 30 };
    expect(dateEmailFor({ ...m, before: "2026-12-16", told: "2026-12-15", now: "2026-12-17" })).toBeNull();
    expect(dateEmailFor({ ...m, before: "2026-12-17", told: "2026-12-15", now: "2026-12-18" })).toBe("date_changed");
    expect(dateEmailFor({ ...m, before: "2026-12-18", told: "2026-12-15", now: "2026-12-12" })).toBe("date_changed");
  });
});

describe("emailLanguage", () => {
  it("is always one we write, the customer's first", () => {
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: null }), fc.option(fc.string(), { nil: null }), (c, s) => {
        expect(EMAIL_LANGUAGES).toContain(emailLanguage(c, s));
      }),
    );
    expect(emailLanguage("fr-CA", "de")).toBe("fr");
    expect(emailLanguage("pt-BR", "de")).toBe("de");
    expect(emailLanguage("ES", null)).toBe("es");
    expect(emailLanguage(null, "ja")).toBe("en");
  });
});

describe("pacing", () => {
  it("sends at most one date change a day per order", () => {
    const sent = new Date("2026-12-01T10:00:00Z");
    expect(nextDateChangeAt(null, sent)).toEqual(sent);
    expect(nextDateChangeAt(sent, new Date("2026-12-01T20:00:00Z"))).toEqual(new Date("2026-12-02T10:00:00Z"));
    expect(nextDateChangeAt(sent, new Date("2026-12-02T11:00:00Z"))).toEqual(new Date("2026-12-02T11:00:00Z"));
  });

  it("backs off, growing, within a minute and an hour", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (n) => {
        expect(emailRetryDelayMs(n)).toBeGreaterThanOrEqual(60_000);
        expect(emailRetryDelayMs(n)).toBeLessThanOrEqual(3_600_000);
        expect(emailRetryDelayMs(n + 1)).toBeGreaterThanOrEqual(emailRetryDelayMs(n));
      }),
    );
  });
});
