// customers/data_request for the merchant, who must answer it: the requests, and for each
// the data to send, read from the tables when asked (so it is what we hold now, and nothing
// once customers/redact has erased it). Every read is scoped to the shop.
import type { Db } from "../db/client.server.ts";
import { chunks } from "../db/chunks.ts";
import { COMPLIANCE_TOPIC } from "../engine/compliance-topic.ts";
import { ordersOfCustomer, parseIds } from "../engine/compliance.server.ts";
import { csvRow } from "./csv.ts";
import { dataRequestStatus, type DataRequestStatus } from "./data-request-status.ts";

export interface DataRequestSummary {
  id: number;
  receivedAt: Date;
  customerId: string | null;
  email: string | null;
  orderIds: string[];
  requestId: string | null;
  status: DataRequestStatus;
  sentAt: Date | null;
  redactedAt: Date | null;
}

export interface CustomerLineData {
  lineItemId: string;
  item: string;
  sku: string | null;
  quantity: number;
  openQuantity: number;
  waitingQuantity: number;
  state: string;
  unitPrice: string;
  orderedAt: Date;
  backorderedAt: Date | null;
  allocatedAt: Date | null;
  fulfilledAt: Date | null;
  cancelledAt: Date | null;
  /** The customer's answers to delay notices (app/consent): keep or cancel, for which promised date. */
  consents: { promisedDate: string; choice: string; answeredAt: Date }[];
}

export interface CustomerOrderData {
  orderId: string;
  name: string;
  createdAt: Date | null;
  cancelledAt: Date | null;
  currency: string;
  customerIds: string[];
  customerNames: string[];
  customerEmails: string[];
  lines: CustomerLineData[];
  /** The emails about the order we hold (the outbox): what was sent, to whom, when. */
  emails: CustomerEmailData[];
}

export interface CustomerEmailData {
  kind: string;
  lineItemId: string;
  promisedDate: string;
  status: string;
  recipient: string | null;
  language: string | null;
  subject: string | null;
  body: string | null;
  sentAt: Date | null;
  createdAt: Date;
}

export interface CustomerData {
  request: DataRequestSummary;
  orders: CustomerOrderData[];
}

type RequestRow = {
  id: number;
  receivedAt: Date;
  customerId: string | null;
  email: string | null;
  orderIds: string;
  requestId: string | null;
  sentAt: Date | null;
  redactedAt: Date | null;
};

const REQUEST_SELECT = {
  id: true,
  receivedAt: true,
  customerId: true,
  email: true,
  orderIds: true,
  requestId: true,
  sentAt: true,
  redactedAt: true,
} as const;

function summary(r: RequestRow): DataRequestSummary {
  return { ...r, orderIds: parseIds(r.orderIds), status: dataRequestStatus(r) };
}

/** The shop's data requests, newest first. */
export async function listDataRequests(db: Db, shop: string, take = 100): Promise<DataRequestSummary[]> {
  const rows = await db.complianceRequest.findMany({
    where: { shop, topic: COMPLIANCE_TOPIC.dataRequest },
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    take,
    select: REQUEST_SELECT,
  });
  return rows.map(summary);
}

/** How many customers/redact requests the shop has had, and the last one's date. */
export async function erasureSummary(db: Db, shop: string): Promise<{ count: number; last: Date | null }> {
  const [count, last] = await Promise.all([
    db.complianceRequest.count({ where: { shop, topic: COMPLIANCE_TOPIC.customerRedact } }),
    db.complianceRequest.findFirst({
      where: { shop, topic: COMPLIANCE_TOPIC.customerRedact },
      orderBy: { receivedAt: "desc" },
      select: { receivedAt: true },
    }),
  ]);
  return { count, last: last?.receivedAt ?? null };
}

const findRequest = (db: Db, shop: string, id: number) =>
  db.complianceRequest.findFirst({ where: { id, shop, topic: COMPLIANCE_TOPIC.dataRequest }, select: REQUEST_SELECT });

/** What we hold about the request's customer; null when the shop has no such request. */
export async function customerDataFor(db: Db, shop: string, id: number): Promise<CustomerData | null> {
  const row = await findRequest(db, shop, id);
  if (!row) return null;
  const request = summary(row);
  if (request.redactedAt) return { request, orders: [] };
  const orderIds = await ordersOfCustomer(db, shop, request);
  // Orders whose customer was erased are no longer theirs to us.
  for (const part of chunks([...orderIds])) {
    const erased = await db.redactedOrder.findMany({ where: { shop, orderId: { in: part } }, select: { orderId: true } });
    erased.forEach((e) => orderIds.delete(e.orderId));
  }
  const ids = [...orderIds];
  const snapshots = [];
  const lines = [];
  const consents = [];
  const emails = [];
  for (const part of chunks(ids)) {
    snapshots.push(
      ...(await db.orderSnapshot.findMany({
        where: { shop, orderId: { in: part } },
        select: { orderId: true, name: true, createdAt: true, cancelledAt: true, currency: true, customerId: true },
      })),
    );
    lines.push(
      ...(await db.backorderLine.findMany({
        where: { shop, orderId: { in: part } },
        orderBy: [{ orderedAt: "asc" }, { lineItemId: "asc" }],
      })),
    );
    consents.push(
      ...(await db.consentRecord.findMany({
        where: { shop, orderId: { in: part } },
        orderBy: [{ answeredAt: "asc" }],
        select: { lineItemId: true, promisedDate: true, choice: true, answeredAt: true },
      })),
    );
    emails.push(...(await db.emailOutbox.findMany({ where: { shop, orderId: { in: part } }, orderBy: { id: "asc" } })));
  }
  const orders = new Map<string, CustomerOrderData>();
  const orderOf = (orderId: string, fallbackName: string) => {
    let o = orders.get(orderId);
    if (!o) {
      o = {
        orderId,
        name: fallbackName,
        createdAt: null,
        cancelledAt: null,
        currency: "",
        customerIds: [],
        customerNames: [],
        customerEmails: [],
        lines: [],
        emails: [],
      };
      orders.set(orderId, o);
    }
    return o;
  };
  const add = (list: string[], v: string | null) => {
    if (v && !list.includes(v)) list.push(v);
  };
  for (const s of snapshots) {
    const o = orderOf(s.orderId, s.name);
    Object.assign(o, { name: s.name, createdAt: s.createdAt, cancelledAt: s.cancelledAt, currency: s.currency });
    add(o.customerIds, s.customerId);
  }
  for (const l of lines) {
    const o = orderOf(l.orderId, l.orderName);
    if (!o.currency) o.currency = l.currency;
    o.createdAt ??= l.orderedAt;
    add(o.customerIds, l.customerId);
    add(o.customerNames, l.customerName);
    add(o.customerEmails, l.customerEmail);
    o.lines.push({
      lineItemId: l.lineItemId,
      item: l.title,
      sku: l.sku,
      quantity: l.quantity,
      openQuantity: l.openQuantity,
      waitingQuantity: l.waitingQuantity,
      state: l.state,
      unitPrice: l.unitPrice,
      orderedAt: l.orderedAt,
      backorderedAt: l.backorderedAt,
      allocatedAt: l.allocatedAt,
      fulfilledAt: l.fulfilledAt,
      cancelledAt: l.cancelledAt,
      consents: consents
        .filter((c) => c.lineItemId === l.lineItemId)
        .map((c) => ({ promisedDate: c.promisedDate, choice: c.choice, answeredAt: c.answeredAt })),
    });
  }
  for (const m of emails) {
    orderOf(m.orderId, "").emails.push({
      kind: m.kind,
      lineItemId: m.lineItemId,
      promisedDate: m.promisedDate,
      status: m.status,
      recipient: m.recipient,
      language: m.locale,
      subject: m.subject,
      body: m.body,
      sentAt: m.sentAt,
      createdAt: m.createdAt,
    });
  }
  const sorted = [...orders.values()].sort(
    (a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0) || a.orderId.localeCompare(b.orderId),
  );
  return { request, orders: sorted };
}

/** The merchant sent the data: recorded (again marking is a no-op). False if the shop has no such open request. */
export async function markDataRequestSent(db: Db, shop: string, id: number, now = new Date()): Promise<boolean> {
  const r = await db.complianceRequest.updateMany({
    where: { id, shop, topic: COMPLIANCE_TOPIC.dataRequest, sentAt: null, redactedAt: null },
    data: { sentAt: now },
  });
  if (r.count > 0) return true;
  return (await db.complianceRequest.count({ where: { id, shop, topic: COMPLIANCE_TOPIC.dataRequest, sentAt: { not: null } } })) > 0;
}

const iso = (d: Date | null) => (d ? d.toISOString() : "");

/** The data as the file the merchant sends: one row per order line (or per order without lines). */
export function customerDataCsv(data: CustomerData): string {
  const header = csvRow([
    "Order",
    "Order ID",
    "Ordered at",
    "Order cancelled at",
    "Customer ID",
    "Customer name",
    "Customer email",
    "Item",
    "SKU",
    "Quantity",
    "Still to ship",
    "Waiting for stock",
    "State",
    "Unit price",
    "Currency",
    "Backordered at",
    "Allocated at",
    "Fulfilled at",
    "Delay answers",
  ]);
  const rows = data.orders.flatMap((o) => {
    const order = [
      o.name,
      o.orderId,
      iso(o.createdAt),
      iso(o.cancelledAt),
      o.customerIds.join("; "),
      o.customerNames.join("; "),
      o.customerEmails.join("; "),
    ];
    if (o.lines.length === 0) return [csvRow([...order, "", "", "", "", "", "", "", o.currency, "", "", "", ""])];
    return o.lines.map((l) =>
      csvRow([
        ...order,
        l.item,
        l.sku,
        l.quantity,
        l.openQuantity,
        l.waitingQuantity,
        l.state,
        l.unitPrice,
        o.currency,
        iso(l.backorderedAt),
        iso(l.allocatedAt),
        iso(l.fulfilledAt),
        l.consents.map((c) => `${c.choice} for ${c.promisedDate} (${iso(c.answeredAt)})`).join("; "),
      ]),
    );
  });
  return header + rows.join("");
}

/** The data as JSON, with the request it answers. */
export function customerDataJson(data: CustomerData): string {
  const { request } = data;
  return JSON.stringify(
    {
      request: {
        receivedAt: request.receivedAt,
        shopifyRequestId: request.requestId,
        customerId: request.customerId,
        email: request.email,
        ordersRequested: request.orderIds,
      },
      orders: data.orders,
    },
    null,
    2,
  );
}
