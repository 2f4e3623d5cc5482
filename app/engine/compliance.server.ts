// The app's own topics (app/uninstalled, app/scopes_update) and the mandatory compliance topics.
import type { Customer, CustomerDataRequestEvent, CustomerRedactEvent, ScopesUpdateEvent } from "../backorder/events.ts";
import type { Tx } from "../db/client.server.ts";
import { chunks } from "../db/chunks.ts";
import { customerToKeep } from "../backorder/fact-rules.ts";
import { escapeLike } from "../db/sqlite-like-escape.ts";
import { INBOX_STATUS } from "../inbox/inbox-status.ts";
import { payloadNeedles, redactPayload, type RedactionTarget } from "../shopify/payload-redaction.ts";
import { COMPLIANCE_TOPIC } from "./compliance-topic.ts";
import { deleteBodyParts, isLargeBody, readBodyParts, writeBodyParts } from "../inbox/body-parts.server.ts";
import { EMAIL_STATUS } from "../email/outbox-status.ts";

/** Sessions go at once (the token is dead); queue data stays until shop/redact, 48h later, in case of reinstall. */
export async function uninstallShop(tx: Tx, shop: string) {
  await tx.session.deleteMany({ where: { shop } });
  await tx.shopSettings.upsert({
    where: { shop },
    create: { shop, uninstalledAt: new Date() },
    update: { uninstalledAt: new Date() },
  });
}

/**
 * app/scopes_update: the shop's sessions carry the scopes granted now (as a new token would).
 * Deliveries may come late or twice: one older than the last applied changes nothing.
 */
export async function updateGrantedScopes(tx: Tx, shop: string, e: ScopesUpdateEvent) {
  const settings = await tx.shopSettings.findUnique({ where: { shop }, select: { scopesUpdatedAt: true } });
  if (settings?.scopesUpdatedAt && settings.scopesUpdatedAt.getTime() > e.updatedAt.getTime()) return;
  await tx.shopSettings.upsert({
    where: { shop },
    create: { shop, scopesUpdatedAt: e.updatedAt },
    update: { scopesUpdatedAt: e.updatedAt },
  });
  await tx.session.updateMany({ where: { shop }, data: { scope: e.scopes.join(",") } });
}

/** The email as sent and lowercased: SQLite and PostgreSQL compare text case-sensitively. */
export const emailForms = (email: string | null): string[] => (email ? [...new Set([email, email.toLowerCase()])] : []);

/** Rows that name the customer by id or email (null when the request names neither). */
export function customerWhere(customerId: string | null, email: string | null) {
  const or: ({ customerId: string } | { customerEmail: { in: string[] } })[] = [];
  if (customerId) or.push({ customerId });
  if (email) or.push({ customerEmail: { in: emailForms(email) } });
  return or.length ? or : null;
}

/** The orders a compliance request is about: those it names and those whose lines or snapshot carry the customer. */
export async function ordersOfCustomer(
  tx: Tx,
  shop: string,
  e: { customerId: string | null; email: string | null; orderIds: readonly string[] },
): Promise<Set<string>> {
  const orderIds = new Set(e.orderIds);
  const or = customerWhere(e.customerId, e.email);
  if (or) {
    const lines = await tx.backorderLine.findMany({ where: { shop, OR: or }, distinct: ["orderId"], select: { orderId: true } });
    lines.forEach((l) => orderIds.add(l.orderId));
  }
  if (e.customerId) {
    const snapshots = await tx.orderSnapshot.findMany({ where: { shop, customerId: e.customerId }, select: { orderId: true } });
    snapshots.forEach((s) => orderIds.add(s.orderId));
  }
  return orderIds;
}

/**
 * customers/redact: the customer's name, email and id leave every table for the orders named
 * and the orders found by their id or email, and those orders are remembered (RedactedOrder)
 * so a later webhook about them cannot bring the customer back.
 */
export async function redactCustomer(tx: Tx, shop: string, e: CustomerRedactEvent) {
  const now = new Date();
  const orderIds = await ordersOfCustomer(tx, shop, e);
  const orders = [...orderIds];
  const erased = { customerId: null, customerName: null, customerEmail: null };

  const or = customerWhere(e.customerId, e.email);
  if (or) await tx.backorderLine.updateMany({ where: { shop, OR: or }, data: erased });
  // Consent answers keep what was chosen, for which line and date; not who was logged in.
  if (e.customerId) await tx.consentRecord.updateMany({ where: { shop, customerId: e.customerId }, data: { customerId: null } });
  for (const part of chunks(orders)) {
    await tx.backorderLine.updateMany({ where: { shop, orderId: { in: part } }, data: erased });
    await tx.orderSnapshot.updateMany({ where: { shop, orderId: { in: part } }, data: { customerId: null } });
    await tx.consentRecord.updateMany({ where: { shop, orderId: { in: part } }, data: { customerId: null } });
    const known = await tx.redactedOrder.findMany({ where: { shop, orderId: { in: part } }, select: { orderId: true } });
    const done = new Set(known.map((k) => k.orderId));
    await tx.redactedOrder.createMany({ data: part.filter((o) => !done.has(o)).map((orderId) => ({ shop, orderId, redactedAt: now })) });
  }

  await redactEmails(tx, shop, orders);
  await redactDataRequests(tx, shop, e, orderIds, now);
  await redactInbox(tx, shop, { customerId: e.customerId, email: e.email, orderIds });
  // The record that we did it, with nothing that identifies the customer.
  await tx.complianceRequest.create({
    data: { shop, topic: COMPLIANCE_TOPIC.customerRedact, orderIds: JSON.stringify(orders), receivedAt: now },
  });
}

/**
 * The customer's emails: what we sent (address, subject, text) is erased, and what was still to
 * go is not sent (the row stays, so the same change cannot enqueue it again).
 */
async function redactEmails(tx: Tx, shop: string, orderIds: string[]) {
  for (const part of chunks(orderIds)) {
    await tx.emailOutbox.updateMany({
      where: { shop, orderId: { in: part }, status: { in: [EMAIL_STATUS.pending, EMAIL_STATUS.sending, EMAIL_STATUS.failed] } },
      data: { status: EMAIL_STATUS.skipped, lastError: "customer data erased (customers/redact)" },
    });
    await tx.emailOutbox.updateMany({ where: { shop, orderId: { in: part } }, data: { recipient: null, subject: null, body: null } });
    await tx.orderLocale.deleteMany({ where: { shop, orderId: { in: part } } });
  }
}

/** Earlier customers/data_request records of this customer keep their date and status, nothing personal. */
async function redactDataRequests(tx: Tx, shop: string, e: CustomerRedactEvent, orderIds: ReadonlySet<string>, now: Date) {
  const requests = await tx.complianceRequest.findMany({
    where: { shop, topic: COMPLIANCE_TOPIC.dataRequest, redactedAt: null },
    select: { id: true, customerId: true, email: true, orderIds: true },
  });
  const emails = new Set(emailForms(e.email));
  const theirs = requests.filter(
    (r) =>
      (e.customerId !== null && r.customerId === e.customerId) ||
      (r.email !== null && emails.has(r.email)) ||
      parseIds(r.orderIds).some((o) => orderIds.has(o)),
  );
  for (const part of chunks(theirs.map((r) => r.id))) {
    await tx.complianceRequest.updateMany({
      where: { shop, id: { in: part } },
      data: { customerId: null, email: null, orderIds: "[]", redactedAt: now },
    });
  }
}

/**
 * Stored payloads about the customer. Applied events (done) need theirs no more: emptied.
 * The others (pending, processing, failed, rejected, dead) are rewritten without the
 * customer, so they can still be applied or retried.
 */
async function redactInbox(tx: Tx, shop: string, target: RedactionTarget) {
  const needles = payloadNeedles(target);
  for (const part of chunks(needles, 200)) {
    const mention = part.map((n) => ({ payload: { contains: escapeLike(n) } }));
    await tx.webhookInbox.updateMany({ where: { shop, status: INBOX_STATUS.done, OR: mention }, data: { payload: "" } });
    const rows = await tx.webhookInbox.findMany({
      where: { shop, status: { not: INBOX_STATUS.done }, OR: mention },
      select: { id: true, topic: true, payload: true },
    });
    for (const row of rows) {
      const redacted = redactPayload(row.topic, row.payload, target);
      if (redacted !== null && redacted !== row.payload) {
        await tx.webhookInbox.update({ where: { id: row.id }, data: { payload: redacted } });
      }
    }
  }
  await redactPartedBodies(tx, shop, target);
}

/**
 * The same for large bodies stored in parts (a needle may straddle two parts, so each body
 * is read whole): a done one loses its parts, the others are rewritten without the customer.
 */
async function redactPartedBodies(tx: Tx, shop: string, target: RedactionTarget) {
  const rows = await tx.webhookInbox.findMany({
    where: { shop, bodyId: { not: null } },
    select: { id: true, topic: true, status: true, bodyId: true },
  });
  for (const row of rows) {
    const bodyId = row.bodyId!;
    if (row.status === "done") {
      await tx.webhookInbox.update({ where: { id: row.id }, data: { payload: "", bodyId: null } });
      await deleteBodyParts(tx, [bodyId]);
      continue;
    }
    const text = await readBodyParts(tx, bodyId);
    const redacted = redactPayload(row.topic, text, target);
    if (redacted === null || redacted === text) continue;
    const stored = isLargeBody(redacted)
      ? { payload: "", bodyId: await writeBodyParts(tx, shop, redacted) }
      : { payload: redacted, bodyId: null };
    await tx.webhookInbox.update({ where: { id: row.id }, data: stored });
    await deleteBodyParts(tx, [bodyId]);
  }
}

/** The customer of an order snapshot, unless customers/redact erased that order's customer. */
export async function customerUnlessRedacted(tx: Tx, shop: string, orderId: string, customer: Customer | null): Promise<Customer | null> {
  if (!customer) return null;
  const redacted = await tx.redactedOrder.findUnique({ where: { shop_orderId: { shop, orderId } }, select: { orderId: true } });
  return customerToKeep(customer, redacted !== null);
}

/** customers/data_request: recorded for the merchant, who answers it (we never contact customers). */
export async function recordDataRequest(tx: Tx, shop: string, e: CustomerDataRequestEvent) {
  await tx.complianceRequest.create({
    data: {
      shop,
      topic: COMPLIANCE_TOPIC.dataRequest,
      customerId: e.customerId,
      email: e.email,
      orderIds: JSON.stringify(e.orderIds),
      requestId: e.requestId,
    },
  });
}

export function parseIds(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

/** shop/redact: nothing of the shop may remain, but the record that we did it. */
export async function deleteShopData(tx: Tx, shop: string) {
  await tx.lineEvent.deleteMany({ where: { shop } });
  await tx.backorderLine.deleteMany({ where: { shop } });
  // Its triggers took the lines' units off; the rows (0 now) go too.
  await tx.variantWaitingTotal.deleteMany({ where: { shop } });
  await tx.orderAdjustment.deleteMany({ where: { shop } });
  await tx.lineLocation.deleteMany({ where: { shop } });
  await tx.orderSnapshot.deleteMany({ where: { shop } });
  await tx.inventoryLevel.deleteMany({ where: { shop } });
  await tx.variant.deleteMany({ where: { shop } });
  await tx.variantPolicy.deleteMany({ where: { shop } });
  await tx.shopSettings.deleteMany({ where: { shop } });
  await tx.complianceRequest.deleteMany({ where: { shop } });
  await tx.redactedOrder.deleteMany({ where: { shop } });
  await tx.syncTask.deleteMany({ where: { shop } });
  await tx.catalogBulkSync.deleteMany({ where: { shop } });
  await tx.syncedVariant.deleteMany({ where: { shop } });
  await tx.syncedOrder.deleteMany({ where: { shop } });
  await tx.orderHold.deleteMany({ where: { shop } });
  await tx.autoEnableProduct.deleteMany({ where: { shop } });
  await tx.flowTriggerUse.deleteMany({ where: { shop } });
  await tx.consentRecord.deleteMany({ where: { shop } });
  await tx.emailOutbox.deleteMany({ where: { shop } });
  await tx.emailTemplate.deleteMany({ where: { shop } });
  await tx.emailSettings.deleteMany({ where: { shop } });
  await tx.orderLocale.deleteMany({ where: { shop } });
  await tx.incomingBatch.deleteMany({ where: { shop } });
  await tx.linePromise.deleteMany({ where: { shop } });
  await tx.figuresSnapshot.deleteMany({ where: { shop } });
  await tx.session.deleteMany({ where: { shop } });
  await tx.tokenRefreshLease.deleteMany({ where: { shop } });
  await tx.webhookInbox.deleteMany({ where: { shop, topic: { not: COMPLIANCE_TOPIC.shopRedact } } });
  // Every large body of the shop but those of the shop/redact rows kept above (orphans too:
  // parts of a delivery whose row was never written).
  const kept = await tx.webhookInbox.findMany({ where: { shop, bodyId: { not: null } }, select: { bodyId: true } });
  await tx.webhookBodyPart.deleteMany({ where: { shop, bodyId: { notIn: kept.map((k) => k.bodyId!) } } });
}
