// An EmailOutbox row's status (a String column): written pending, claimed while sending, then
// sent; failed after the last attempt (the merchant may retry); skipped when there is nothing
// to send any more; superseded when a newer date of the same line went instead.
export const EMAIL_STATUS = {
  pending: "pending",
  sending: "sending",
  sent: "sent",
  failed: "failed",
  skipped: "skipped",
  superseded: "superseded",
} as const;

export type EmailStatus = (typeof EMAIL_STATUS)[keyof typeof EMAIL_STATUS];
