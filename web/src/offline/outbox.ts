// The outbox: sales rung up while the server could not be reached, sent when it answers
// again — in the order they were rung up, each exactly once. A sale is named by its
// clientOrderId: sent twice (an answer lost on the way back), the server answers with the
// order the first attempt made, and a paid order is not paid again. What the server refuses
// stays on screen until the cashier acknowledges it; it is never sent again.
import { effect, signal } from "@preact/signals";

import { ApiFailure, Unreachable, api } from "../api";
import { online } from "../connection";
import { currentUser } from "../session";
import { t } from "../i18n";
import { formatMoney } from "../money";
import type { Paid, Priced, Sold } from "../sale";
import { explain } from "../ui/explain";
import { ensureSession, finishSignOut, signOutPending } from "./kept";
import { CURRENCY } from "./pricing";
import { type WaitingSale, addToOutbox, kept, outbox, removeFromOutbox, updateInOutbox } from "./store";

/** How many sales wait to be sent. */
export const salesWaiting = signal(0);
/** Sales the server refused, until the cashier acknowledges them. */
export const salesRefused = signal<WaitingSale[]>([]);

async function recount(): Promise<void> {
  const all = await outbox();
  salesWaiting.value = all.filter((sale) => sale.refusal === null).length;
  salesRefused.value = all.filter((sale) => sale.refusal !== null);
}

/** What a sale can be paid with while the server cannot be reached. */
const OFFLINE_TENDERS = ["cash", "credit_card"];

/** Whether a new sale goes to the outbox: the server is known to be unreachable, or sales
 * wait (a new sale must not overtake them). */
export function mustWait(): boolean {
  return !online.value || salesWaiting.value > 0;
}

export type SaleToKeep = Pick<
  WaitingSale,
  "clientOrderId" | "order" | "payment" | "expectedTotal" | "summary"
>;

/** Keep a paid sale for later; the screen shows it done (its receipt number comes with the
 * server). ``attempted``: the order may already have reached the server. */
export async function keepSale(sale: SaleToKeep, attempted: boolean): Promise<Paid> {
  // Gift cards and store credit are balances only the server knows.
  if (!OFFLINE_TENDERS.includes(String(sale.payment.tenderType))) {
    throw new Unreachable("this tender needs the server");
  }
  const currency = (await kept<string>(CURRENCY)) ?? "";
  const occurredAt = new Date().toISOString();
  await addToOutbox({ ...sale, currency, occurredAt, attempted, refusal: null });
  await recount();
  void drainOutbox(); // it may be that only this request failed
  const tendered = Number(sale.payment.amountTendered ?? sale.expectedTotal);
  const total = sale.expectedTotal;
  const payment = {
    paymentId: "",
    tenderType: String(sale.payment.tenderType),
    amount: total,
    changeDue: Math.max(0, Math.round((tendered - total) * 1e6) / 1e6),
    cardLast4: (sale.payment.cardLast4 as string | undefined) ?? null,
  };
  const totals = { subtotal: total, discountTotal: 0, taxTotal: 0, grandTotal: total, cashRounding: 0 };
  return {
    order: {
      orderId: sale.clientOrderId,
      receiptNumber: t("offline.receiptLater"),
      status: "waiting",
      lineItems: [],
      totals: { ...totals, paid: total, balanceDue: 0 },
      payments: [payment],
    },
    payment,
  };
}

function refusedBecause(sale: WaitingSale, serverTotal: number, orderLeftOpen: boolean): string {
  const totals = {
    charged: formatMoney(sale.expectedTotal, sale.currency),
    server: formatMoney(serverTotal, sale.currency),
  };
  return t(orderLeftOpen ? "offline.totalDiffersOpen" : "offline.totalDiffers", totals);
}

function sameMoney(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9;
}

/** Send one waiting sale. Unreachable propagates (try again later); the server's refusal is
 * returned. */
async function send(sale: WaitingSale): Promise<string | null> {
  const body = { ...sale.order, clientOrderId: sale.clientOrderId, occurredAt: sale.occurredAt };
  if (!sale.attempted) {
    // Priced again before anything is created: a changed price refuses the sale whole.
    const priced = await api<Priced>("POST", "/v1/orders/calculate", sale.order);
    if (!sameMoney(priced.totals.grandTotal, sale.expectedTotal)) {
      return refusedBecause(sale, priced.totals.grandTotal, false);
    }
    await updateInOutbox({ ...sale, attempted: true });
  }
  const order = await api<Sold>("POST", "/v1/orders", body);
  if (order.status !== "open" || order.totals.balanceDue === 0) return null; // paid already
  if (!sameMoney(order.totals.grandTotal, sale.expectedTotal)) {
    return refusedBecause(sale, order.totals.grandTotal, true);
  }
  await api("POST", `/v1/orders/${encodeURIComponent(order.orderId)}/payments`, {
    ...sale.payment,
    amount: order.totals.balanceDue,
  });
  return null;
}

let draining: Promise<void> | null = null;

/** Send what waits, oldest first; stop at the first sale the server cannot be reached for.
 * One sender at a time on the device, across its tabs (a Web Lock): two would pay twice. */
export function drainOutbox(): Promise<void> {
  if (draining !== null) return draining;
  // Web Locks need a secure context, as the service worker does (HTTPS, or this machine).
  const sending =
    "locks" in navigator ? navigator.locks.request("tillpoint-outbox", sendWaiting) : sendWaiting();
  draining = sending.finally(() => {
    draining = null;
  });
  return draining;
}

async function sendWaiting(): Promise<void> {
  for (const sale of await outbox()) {
    if (sale.refusal !== null) continue;
    try {
      if (!(await ensureSession())) return;
      const refusal = await send(sale);
      online.value = true;
      if (refusal === null) await removeFromOutbox(sale.seq!);
      else await updateInOutbox({ ...sale, attempted: true, refusal });
    } catch (failure) {
      if (failure instanceof Unreachable) {
        online.value = false;
        return;
      }
      // A server error may pass: the sale waits for the next attempt.
      if (!(failure instanceof ApiFailure) || failure.error.status >= 500) return;
      await updateInOutbox({ ...sale, attempted: true, refusal: explain(failure) });
    } finally {
      await recount();
    }
  }
  await finishSignOut().catch(() => undefined); // tried again with the next drain
}

/** The cashier has seen the refusal: it leaves the device. */
export async function acknowledge(sale: WaitingSale): Promise<void> {
  await removeFromOutbox(sale.seq!);
  await recount();
}

const RETRY_EVERY_MS = 5_000;

/** Count what waits, and send it whenever the server answers again (and every few seconds
 * while sales wait: a server back up does not always say so). */
export function watchOutbox(): void {
  void recount();
  effect(() => {
    // Online again, or someone signed in to send with.
    if (online.value && (currentUser.value || signOutPending.value)) void drainOutbox();
  });
  window.setInterval(() => {
    if (salesWaiting.value > 0 || signOutPending.value) void drainOutbox();
  }, RETRY_EVERY_MS);
}
