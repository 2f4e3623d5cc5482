// app/uninstalled and the mandatory compliance topics.
import type { CustomerDataRequestEvent, CustomerRedactEvent } from "../backorder/events.ts";
import type { Tx } from "../db/client.server.ts";

/** Sessions go at once (the token is dead); queue data stays until shop/redact, 48h later, in case of reinstall. */
export async function uninstallShop(tx: Tx, shop: string) {
  await tx.session.deleteMany({ where: { shop } });
  await tx.shopSettings.upsert({
    where: { shop },
    create: { shop, uninstalledAt: new Date() },
    update: { uninstalledAt: new Date() },
  });
}

function customerLinesWhere(shop: string, e: { customerId: string | null; email: string | null; orderIds: string[] }) {
  const or: object[] = [];
  if (e.customerId) or.push({ customerId: e.customerId });
  if (e.email) or.push({ customerEmail: e.email });
  if (e.orderIds.length) or.push({ orderId: { in: e.orderIds } });
  return or.length ? { shop, OR: or } : null;
}

export async function redactCustomer(tx: Tx, shop: string, e: CustomerRedactEvent) {
  const where = customerLinesWhere(shop, e);
  if (!where) return;
  const orderIds = new Set(e.orderIds);
  for (const l of await tx.backorderLine.findMany({ where, select: { orderId: true } })) orderIds.add(l.orderId);
  await tx.backorderLine.updateMany({ where, data: { customerId: null, customerName: null, customerEmail: null } });
  await tx.orderSnapshot.updateMany({ where: { shop, orderId: { in: [...orderIds] } }, data: { customerId: null } });
  // Raw order payloads in the inbox carry the customer too.
  const needles = [...[...orderIds].map((id) => `"id":${id},`), ...(e.email ? [e.email] : [])];
  for (const needle of needles) {
    await tx.webhookInbox.updateMany({
      // Applied events, and the redact request itself; events still waiting to be applied keep theirs.
      where: { shop, OR: [{ status: "done" }, { topic: "customers/redact" }], payload: { contains: needle } },
      data: { payload: '{"redacted":true}' },
    });
  }
  await tx.complianceRequest.create({ data: { shop, topic: "customers/redact", customerId: e.customerId } });
}

/** What we hold about a customer, recorded for the merchant to pass on (we never contact customers). */
export async function recordDataRequest(tx: Tx, shop: string, e: CustomerDataRequestEvent) {
  const where = customerLinesWhere(shop, e);
  const lines = where
    ? await tx.backorderLine.findMany({
        where,
        select: {
          orderName: true, title: true, sku: true, quantity: true, state: true, orderedAt: true,
          customerName: true, customerEmail: true,
        },
      })
    : [];
  await tx.complianceRequest.create({
    data: { shop, topic: "customers/data_request", customerId: e.customerId, email: e.email, dataJson: JSON.stringify(lines) },
  });
}

/** shop/redact: nothing of the shop may remain, but the record that we did it. */
export async function deleteShopData(tx: Tx, shop: string) {
  await tx.lineEvent.deleteMany({ where: { shop } });
  await tx.backorderLine.deleteMany({ where: { shop } });
  await tx.orderAdjustment.deleteMany({ where: { shop } });
  await tx.orderSnapshot.deleteMany({ where: { shop } });
  await tx.inventoryLevel.deleteMany({ where: { shop } });
  await tx.variant.deleteMany({ where: { shop } });
  await tx.variantPolicy.deleteMany({ where: { shop } });
  await tx.shopSettings.deleteMany({ where: { shop } });
  await tx.complianceRequest.deleteMany({ where: { shop } });
  await tx.syncTask.deleteMany({ where: { shop } });
  await tx.syncedVariant.deleteMany({ where: { shop } });
  await tx.syncedOrder.deleteMany({ where: { shop } });
  await tx.autoEnableProduct.deleteMany({ where: { shop } });
  await tx.session.deleteMany({ where: { shop } });
  await tx.webhookInbox.deleteMany({ where: { shop, topic: { not: "shop/redact" } } });
}
