// The customer's answer to a delay notice: "keep my order" records consent to the new date;
// "cancel this item" refunds the line's open units through the Admin API (restocked) and
// the queue moves at once. One answer per line and promised date (ConsentRecord's key), so a
// reused link, a double click or a mail scanner changes nothing twice. Reading the page
// (GET) never changes anything; only the confirm button's POST does.
import type { Db } from "../db/client.server.ts";
import { applyEvent } from "../engine/apply-event.server.ts";
import type { OrderAdjustmentEvent } from "../backorder/events.ts";
import { AdminApiError } from "../shopify/admin-errors.ts";
import type { GatewayFactory } from "../shopify/gateway.server.ts";
import { syncAfterApply } from "../sync/hooks.server.ts";
import { verifyConsentToken, type ConsentTokenProblem } from "./consent-token.ts";
import { LINE_STATE } from "../backorder/line-state.ts";

export type ConsentChoice = "keep" | "cancel";
export const CONSENT_CHOICES: readonly ConsentChoice[] = ["keep", "cancel"];

/** Why a link changes nothing: each gets its own page. */
export type ConsentRefusal = ConsentTokenProblem | "other-shop" | "unknown-line" | "answered" | "not-waiting";

export interface ConsentLineView {
  orderName: string;
  title: string;
  /** Units the answer is about: the line's units not shipped yet. */
  quantity: number;
  /** The promised ship date the notice asked about (YYYY-MM-DD). */
  promisedDate: string;
}

export type ConsentOutcome =
  | { kind: "ask"; choice: ConsentChoice; line: ConsentLineView }
  | { kind: "kept"; line: ConsentLineView }
  | { kind: "cancelled"; line: ConsentLineView }
  | { kind: "refused"; reason: ConsentRefusal; answered?: ConsentChoice }
  /** Shopify refused the refund or could not be reached: nothing recorded, the customer may try again. */
  | { kind: "failed"; line: ConsentLineView; retry: boolean };

export interface ConsentDeps {
  db: Db;
  gateways: GatewayFactory;
  secret: string;
  now?: () => Date;
}

/** The idempotency key of a line's refund: a retry of the same answer can never refund twice. */
export const refundKey = (shop: string, lineItemId: string, promisedDate: string) =>
  `backorder-consent:${shop}:${lineItemId}:${promisedDate}`;

type Checked =
  | { ok: false; outcome: ConsentOutcome }
  | {
      ok: true;
      claim: { lineItemId: string; promisedDate: string };
      line: { orderId: string; locationId: string | null; openQuantity: number; state: string };
      view: ConsentLineView;
      record: { choice: string; refundId: string | null; quantity: number; workingUntil: Date | null } | null;
    };

async function check(deps: ConsentDeps, shop: string, token: string): Promise<Checked> {
  const now = deps.now?.() ?? new Date();
  const verified = verifyConsentToken(token, deps.secret, Math.floor(now.getTime() / 1000));
  if (!verified.ok) return { ok: false, outcome: { kind: "refused", reason: verified.problem } };
  const { claim } = verified;
  // Signed for one shop, opened through another's proxy: nothing of either is shown.
  if (claim.shop !== shop) return { ok: false, outcome: { kind: "refused", reason: "other-shop" } };
  const line = await deps.db.backorderLine.findUnique({
    where: { shop_lineItemId: { shop, lineItemId: claim.lineItemId } },
    select: { orderId: true, orderName: true, title: true, openQuantity: true, state: true, locationId: true },
  });
  if (!line) return { ok: false, outcome: { kind: "refused", reason: "unknown-line" } };
  const record = await deps.db.consentRecord.findUnique({
    where: { shop_lineItemId_promisedDate: { shop, lineItemId: claim.lineItemId, promisedDate: claim.promisedDate } },
    select: { choice: true, refundId: true, quantity: true, workingUntil: true },
  });
  const view = { orderName: line.orderName, title: line.title, quantity: line.openQuantity, promisedDate: claim.promisedDate };
  return { ok: true, claim, line, view: record ? { ...view, quantity: record.quantity } : view, record };
}

/** How long one request may spend getting a cancel's refund from Shopify (the gateway's retries take ~15 s) before another may resume it. */
export const CANCEL_WORK_MS = 120_000;

/**
 * A cancel whose refund Shopify has not confirmed (its request failed to reach Shopify, or
 * died), and that no request is working on now: the next press resumes it.
 */
const resumableCancel = (r: { choice: string; refundId: string | null; workingUntil: Date | null } | null, now: Date) =>
  r?.choice === "cancel" && r.refundId === null && (r.workingUntil === null || r.workingUntil.getTime() < now.getTime());

/** The confirm page (GET): what the link is about and the button, or why it does nothing. */
export async function readConsent(deps: ConsentDeps, shop: string, token: string, choice: ConsentChoice): Promise<ConsentOutcome> {
  const c = await check(deps, shop, token);
  if (!c.ok) return c.outcome;
  const resumable = choice === "cancel" && resumableCancel(c.record, deps.now?.() ?? new Date());
  if (c.record && !resumable) return { kind: "refused", reason: "answered", answered: c.record.choice as ConsentChoice };
  if (c.line.state !== LINE_STATE.waiting && !resumable) return { kind: "refused", reason: "not-waiting" };
  return { kind: "ask", choice, line: c.view };
}

/** The button (POST): records the answer; "cancel" refunds the line in Shopify and applies the refund to the queue. */
export async function answerConsent(
  deps: ConsentDeps,
  shop: string,
  token: string,
  choice: ConsentChoice,
  customerId: string | null,
): Promise<ConsentOutcome> {
  const now = deps.now ?? (() => new Date());
  const c = await check(deps, shop, token);
  if (!c.ok) return c.outcome;
  const resuming = choice === "cancel" && resumableCancel(c.record, now());
  if (c.record && !resuming) return { kind: "refused", reason: "answered", answered: c.record.choice as ConsentChoice };
  if (c.line.state !== LINE_STATE.waiting && !resuming) return { kind: "refused", reason: "not-waiting" };

  const key = { shop, lineItemId: c.claim.lineItemId, promisedDate: c.claim.promisedDate };
  const workingUntil = () => new Date(now().getTime() + CANCEL_WORK_MS);
  const answered = async (): Promise<ConsentOutcome> => {
    const winner = await deps.db.consentRecord.findUnique({ where: { shop_lineItemId_promisedDate: key }, select: { choice: true } });
    return { kind: "refused", reason: "answered", answered: (winner?.choice ?? choice) as ConsentChoice };
  };
  if (resuming) {
    // Taking the cancel over, in one conditional write: a concurrent press finds it taken.
    const taken = await deps.db.consentRecord.updateMany({
      where: { ...key, choice: "cancel", refundId: null, OR: [{ workingUntil: null }, { workingUntil: { lt: now() } }] },
      data: { workingUntil: workingUntil() },
    });
    if (taken.count === 0) return answered();
  } else {
    // The claim: the first answer creates the row, a concurrent second finds it taken. A cancel
    // is marked as being worked on, so a second press waits for this one instead of resuming it.
    const created = await deps.db.consentRecord
      .create({
        data: {
          ...key,
          orderId: c.line.orderId,
          choice,
          quantity: c.line.openQuantity,
          customerId,
          answeredAt: now(),
          workingUntil: choice === "cancel" ? workingUntil() : null,
        },
      })
      .then(
        () => true,
        (e: unknown) => {
          if ((e as { code?: string }).code === "P2002") return false;
          throw e;
        },
      );
    if (!created) return answered();
    if (choice === "keep") return { kind: "kept", line: c.view };
  }

  const quantity = resuming ? c.record!.quantity : c.line.openQuantity;
  let refund: { refundId: string; createdAt: string };
  try {
    refund = await deps.gateways(shop).refundLineItem({
      orderId: `gid://shopify/Order/${c.line.orderId}`,
      lineItemId: `gid://shopify/LineItem/${c.claim.lineItemId}`,
      quantity,
      locationId: c.line.locationId ? `gid://shopify/Location/${c.line.locationId}` : null,
      idempotencyKey: refundKey(shop, c.claim.lineItemId, c.claim.promisedDate),
      note: `Cancelled by the customer (delay notice for ${c.claim.promisedDate})`,
    });
  } catch (e) {
    const permanent = e instanceof AdminApiError && e.permanent;
    // Refused: the answer is taken back, nothing changed. Not reached: the claim stays, so
    // pressing again resumes with the same idempotency key (never a second refund).
    if (permanent) await deps.db.consentRecord.delete({ where: { shop_lineItemId_promisedDate: key } });
    else await deps.db.consentRecord.update({ where: { shop_lineItemId_promisedDate: key }, data: { workingUntil: null } });
    return { kind: "failed", line: { ...c.view, quantity }, retry: !permanent };
  }

  // The refund as refunds/create will report it (same id): whichever arrives first counts, once.
  const event: OrderAdjustmentEvent = {
    kind: "adjustment",
    adjustment: "refund",
    id: refund.refundId,
    orderId: c.line.orderId,
    occurredAt: new Date(refund.createdAt),
    lines: [{ lineItemId: c.claim.lineItemId, quantity }],
  };
  await deps.db.$transaction(
    async (tx) => {
      const affected = await applyEvent(tx, shop, event, "consent/cancel");
      await syncAfterApply({ now })(tx, shop, affected);
      await tx.consentRecord.update({
        where: { shop_lineItemId_promisedDate: key },
        data: { refundId: refund.refundId, answeredAt: now(), workingUntil: null },
      });
    },
    { timeout: 30_000 },
  );
  return { kind: "cancelled", line: { ...c.view, quantity } };
}
