// A SyncTask row's status (a String column): pending until due and claimed, running under a
// runner's lease, then done, or failed (gave up: kept for the merchant, retried on request).
export const SYNC_TASK_STATUS = {
  pending: "pending",
  running: "running",
  done: "done",
  failed: "failed",
} as const;

export type SyncTaskStatus = (typeof SYNC_TASK_STATUS)[keyof typeof SYNC_TASK_STATUS];

/** Not finished: a cancellation in one of these is shown as requested (or failed) on the queue page. */
export const UNFINISHED_SYNC_TASK_STATUSES: readonly SyncTaskStatus[] = [
  SYNC_TASK_STATUS.pending,
  SYNC_TASK_STATUS.running,
  SYNC_TASK_STATUS.failed,
];
