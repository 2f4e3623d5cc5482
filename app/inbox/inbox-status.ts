// A WebhookInbox row's status (a String column): the webhook door stores a delivery as
// pending, the worker claims it (processing) and leaves it done, failed (tried again after a
// backoff), dead (gave up after too many attempts) or rejected (its payload cannot be read or
// mapped: retrying cannot help until a fix is deployed).
export const INBOX_STATUS = {
  pending: "pending",
  processing: "processing",
  done: "done",
  failed: "failed",
  dead: "dead",
  rejected: "rejected",
} as const;

export type InboxStatus = (typeof INBOX_STATUS)[keyof typeof INBOX_STATUS];

/** What the worker may claim once due; a processing row whose lease ran out is taken over. */
export const CLAIMABLE_INBOX_STATUSES: readonly InboxStatus[] = [INBOX_STATUS.pending, INBOX_STATUS.failed, INBOX_STATUS.processing];

/** Not applied and not on the way: shown to the merchant, who can put them back in line. */
export const STOPPED_INBOX_STATUSES: readonly InboxStatus[] = [INBOX_STATUS.failed, INBOX_STATUS.dead, INBOX_STATUS.rejected];
