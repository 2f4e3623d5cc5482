// A process-wide allowance of bytes that webhook bodies may occupy at once. Each delivery
// reserves its largest possible size before reading a byte and gives it back when done,
// so many concurrent big bodies wait their turn (first come, first served) instead of
// growing memory without bound. Whole reservations, never partial ones: two half-read
// bodies can never hold each other up.

export type Release = () => void;

interface Waiter {
  bytes: number;
  grant: () => void;
}

export class ByteBudget {
  #inUse = 0;
  readonly #waiting: Waiter[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`budget must be a positive whole number of bytes, got ${capacity}`);
  }

  /** Bytes reserved right now. */
  get inUse(): number {
    return this.#inUse;
  }

  /**
   * Reserves `bytes`, waiting up to `waitMs` for others to give theirs back.
   * Resolves to the release function, or null if there was no room in time.
   */
  acquire(bytes: number, waitMs: number): Promise<Release | null> {
    if (bytes > this.capacity) return Promise.resolve(null);
    if (this.#waiting.length === 0 && this.#fits(bytes)) return Promise.resolve(this.#take(bytes));
    if (waitMs <= 0) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        bytes,
        grant: () => {
          clearTimeout(timer);
          resolve(this.#take(bytes));
        },
      };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        resolve(null);
        this.#grantWaiting(); // the one that gave up may have been blocking smaller ones behind it
      }, waitMs);
      this.#waiting.push(waiter);
    });
  }

  #fits(bytes: number): boolean {
    return this.#inUse + bytes <= this.capacity;
  }

  #take(bytes: number): Release {
    this.#inUse += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse -= bytes;
      this.#grantWaiting();
    };
  }

  #grantWaiting(): void {
    while (this.#waiting.length > 0 && this.#fits(this.#waiting[0]!.bytes)) this.#waiting.shift()!.grant();
  }
}
