// Where a customers/data_request stands for the merchant, from its row's dates: to send,
// sent (the merchant marked it), or erased (a later customers/redact removed its personal data).
export const DATA_REQUEST_STATUS = { toSend: "to send", sent: "sent", erased: "erased" } as const;

export type DataRequestStatus = (typeof DATA_REQUEST_STATUS)[keyof typeof DATA_REQUEST_STATUS];

export function dataRequestStatus(r: { sentAt: Date | null; redactedAt: Date | null }): DataRequestStatus {
  if (r.redactedAt) return DATA_REQUEST_STATUS.erased;
  return r.sentAt ? DATA_REQUEST_STATUS.sent : DATA_REQUEST_STATUS.toSend;
}
