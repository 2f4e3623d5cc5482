// The errors an Admin API call ends in, shared by the transport, the token store and the
// typed operations; the sync tells retryable from permanent failures by `permanent`.

/**
 * A failed Admin API call. `permanent`: retrying the same request cannot succeed
 * (validation errors, access, userErrors, unknown objects); otherwise it may later.
 */
export class AdminApiError extends Error {
  override name = "AdminApiError";
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly operation: string,
    readonly details: unknown = undefined,
  ) {
    super(message);
  }
}

/** One entry of a mutation payload's `userErrors` (the fields every kind of user error has). */
export interface UserError {
  field?: string[] | null;
  message: string;
  code?: string | null;
  elementIndex?: number | null;
}

/** A mutation Shopify refused with userErrors: permanent for this input. */
export class AdminUserErrors extends AdminApiError {
  override name = "AdminUserErrors";
  constructor(
    operation: string,
    readonly userErrors: UserError[],
  ) {
    super(`${operation}: ${userErrors.map((e) => `${e.field?.join(".") ?? "-"}: ${e.message}`).join("; ")}`, true, operation, userErrors);
  }
}
