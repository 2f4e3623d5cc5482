// How many events the worker puts in a shop's next transaction: sized by the last one's time.
import { describe, expect, it } from "vitest";
import { CHUNK_EVENTS, ChunkPace, MAX_CHUNK_EVENTS } from "../../app/worker/worker.server.ts";

const A = "shop-a.myshopify.com";
const B = "shop-b.myshopify.com";

describe("ChunkPace", () => {
  it("starts at CHUNK_EVENTS and at most doubles while chunks are quick, up to MAX_CHUNK_EVENTS", () => {
    const pace = new ChunkPace(300);
    expect(pace.events(A)).toBe(CHUNK_EVENTS);
    const sizes: number[] = [];
    for (let i = 0; i < 8; i++) {
      pace.took(A, pace.events(A), pace.events(A) * 0.01); // 10 µs an event: far under the target
      sizes.push(pace.events(A));
    }
    expect(sizes).toEqual([200, 400, 500, 500, 500, 500, 500, 500]);
    expect(MAX_CHUNK_EVENTS).toBe(500);
  });

  it("shrinks at once to what fits the target, never under CHUNK_EVENTS", () => {
    const pace = new ChunkPace(300);
    for (let i = 0; i < 5; i++) pace.took(A, pace.events(A), 1);
    expect(pace.events(A)).toBe(MAX_CHUNK_EVENTS);
    pace.took(A, 500, 1000); // 2 ms an event: 150 fit in 300 ms
    expect(pace.events(A)).toBe(150);
    pace.took(A, 150, 1500); // 10 ms an event
    expect(pace.events(A)).toBe(CHUNK_EVENTS);
  });

  it("keeps shops apart, and a chunk cut short by the end of its batch grows from the current size", () => {
    const pace = new ChunkPace(300);
    pace.took(A, 100, 10);
    expect(pace.events(A)).toBe(200);
    expect(pace.events(B)).toBe(CHUNK_EVENTS);
    pace.took(A, 3, 0.1); // the batch's last three events
    expect(pace.events(A)).toBe(400);
  });
});
