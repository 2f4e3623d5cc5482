// A backorder line's state: derived from its facts by lineState (order-lines.ts) and stored
// in BackorderLine.state (a String column). Code and raw SQL name the states through these
// (SQL interpolates them as literals: they are constants, never input).
export const LINE_STATE = {
  /** Units still owed that the stock does not cover: the line holds a place in the queue. */
  waiting: "waiting",
  /** Every open unit is covered by stock. */
  allocated: "allocated",
  fulfilled: "fulfilled",
  cancelled: "cancelled",
} as const;

export type LineState = (typeof LINE_STATE)[keyof typeof LINE_STATE];

/**
 * Stored on a line the engine has just created from an order, until the derivation that
 * follows gives it one of the states above. Not a LineState: lineState never returns it.
 */
export const PENDING_LINE_STATE = "pending";

export type StoredLineState = LineState | typeof PENDING_LINE_STATE;

export const STORED_LINE_STATES: readonly StoredLineState[] = [PENDING_LINE_STATE, ...Object.values(LINE_STATE)];

/** Lines still owed to the customer, as the merchant sees them. */
export const OPEN_LINE_STATES: readonly LineState[] = [LINE_STATE.waiting, LINE_STATE.allocated];

export const isOpenLineState = (state: string): state is LineState => (OPEN_LINE_STATES as readonly string[]).includes(state);

/** The lines a derivation reads as open: the open ones and the pending ones it has yet to derive. */
export const DERIVABLE_LINE_STATES: readonly StoredLineState[] = [PENDING_LINE_STATE, ...OPEN_LINE_STATES];

export const isDerivableLineState = (state: string): state is StoredLineState =>
  (DERIVABLE_LINE_STATES as readonly string[]).includes(state);
