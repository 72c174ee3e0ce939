// A sale on the register: the cart as the cashier builds it, priced by the server
// (POST /v1/orders/calculate), then rung up and paid in one or more tenders. Prices, totals,
// discounts, balances and change are always the server's: the app only shows them.
import { Unreachable, api } from "./api";
import { online } from "./connection";
import { keepSale, mustWait } from "./offline/outbox";
import { offlinePrice, pricedOrOffline } from "./offline/pricing";
import type { Item } from "./till";

export interface Discount {
  type: "percentage" | "fixed";
  value: number;
  reason?: string;
}

export interface ChosenModifier {
  optionId: string;
  name: string;
}

export interface CartLine {
  /** The line's own key: one item may be on two lines (other choices, a note, a discount). */
  key: string;
  item: Item;
  quantity: number;
  modifiers: ChosenModifier[];
  discount: Discount | null;
  notes: string;
}

export interface Customer {
  customerId: string;
  name: string;
}

/** A manager's PIN given for this cart's discounts. */
export interface Approval {
  employeeId: string;
  pin: string;
}

export interface Cart {
  locationId: string;
  registerId: string;
  lines: CartLine[];
  discount: Discount | null;
  notes: string;
  customer: Customer | null;
  approval: Approval | null;
}

export interface Totals {
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  grandTotal: number;
  cashRounding: number;
  paid: number;
  balanceDue: number;
}

export interface PricedLine {
  sku: string;
  subtotal: number;
  discount: number;
  total: number;
}

export interface Priced {
  lineItems: PricedLine[];
  totals: Totals;
  /** What a manager must still approve (empty: nothing, or the approval given is valid). */
  approvalNeeded: string[];
  /** The grand total paid in cash: rounded to the tenant's cash increment. */
  cashDue: number;
}

export interface PaymentOut {
  paymentId: string;
  tenderType: string;
  amount: number;
  changeDue: number;
  cardLast4: string | null;
}

export interface Sold {
  orderId: string;
  receiptNumber: string | null;
  status: string;
  lineItems: PricedLine[];
  totals: Totals;
  payments: PaymentOut[];
}

export type TenderType = "cash" | "credit_card" | "gift_card" | "store_credit";

export interface Tender {
  tenderType: TenderType;
  amount: number;
  amountTendered?: number;
  cardLast4?: string;
  processorRef?: string;
  giftCardCode?: string;
  /** This payment's Idempotency-Key: a retry of it after a lost answer pays nothing twice. */
  key: string;
}

export interface Paid {
  order: Sold;
  /** The last payment taken (a cash one shows its change due). */
  payment: PaymentOut;
}

export function emptyCart(locationId: string, registerId: string): Cart {
  return { locationId, registerId, lines: [], discount: null, notes: "", customer: null, approval: null };
}

function discountBody(discount: Discount | null) {
  return discount === null ? [] : [discount];
}

/** The cart as the API's order body (the same for pricing and for creating the order). */
export function orderBody(cart: Cart) {
  return {
    locationId: cart.locationId,
    registerId: cart.registerId,
    customerId: cart.customer?.customerId,
    notes: cart.notes,
    discounts: discountBody(cart.discount),
    approval: cart.approval ?? undefined,
    lineItems: cart.lines.map((line) => ({
      sku: line.item.sku,
      quantity: line.quantity,
      modifiers: line.modifiers.map((m) => m.optionId),
      discounts: discountBody(line.discount),
      notes: line.notes,
    })),
  };
}

/** Whether the cart can be priced and sold with the server out of reach: plain items only
 * (discounts, modifier choices and their approvals are the server's rules to apply). */
function sellableOffline(cart: Cart): boolean {
  const plain = cart.lines.every((line) => line.modifiers.length === 0 && line.discount === null);
  return plain && cart.discount === null;
}

function plainLines(cart: Cart): { sku: string; quantity: number }[] {
  return cart.lines.map((line) => ({ sku: line.item.sku, quantity: line.quantity }));
}

export async function price(cart: Cart): Promise<Priced> {
  const priceOnline = () => api<Priced>("POST", "/v1/orders/calculate", orderBody(cart));
  if (!sellableOffline(cart)) return priceOnline();
  return pricedOrOffline(cart.locationId, plainLines(cart), priceOnline);
}

/** Offline (web/src/offline/outbox.ts): the sale waits on the device, paid whole in cash or by
 * card, and is sent when the server answers again. Split tenders, discounts and modifiers
 * need the server. ``attempted``: the order may have reached the server already. */
async function keepOffline(cart: Cart, tenders: Tender[], clientOrderId: string, attempted: boolean) {
  const priced = sellableOffline(cart) ? await offlinePrice(cart.locationId, plainLines(cart)) : null;
  const [tender, ...more] = tenders;
  const total = priced?.totals.grandTotal ?? NaN;
  const covers = tender !== undefined && (tender.amountTendered ?? tender.amount) >= total;
  if (priced === null || more.length > 0 || !covers) {
    throw new Unreachable("this sale needs the server: split tenders, discounts, modifiers");
  }
  const { key: _key, ...payment } = tender;
  return keepSale(
    {
      clientOrderId,
      order: orderBody(cart),
      payment: { ...payment, amount: total, registerId: cart.registerId },
      expectedTotal: total,
      summary: cart.lines.map((line) => `${line.quantity} × ${line.item.name}`).join(", "),
    },
    attempted,
  );
}

/** The sale rung up and paid: the order (``clientOrderId`` names this cart: sent again, it
 * finds the order the first attempt created), then each tender in turn, each with its own
 * Idempotency-Key (a tender already taken answers as it did the first time: no second charge).
 * Paying part by part calls it again with one tender more. */
export async function ringUp(cart: Cart, tenders: Tender[], clientOrderId: string): Promise<Paid> {
  // With the server unreachable, or sales already waiting (a new one must not overtake them).
  if (mustWait()) return keepOffline(cart, tenders, clientOrderId, false);
  let order: Sold;
  try {
    order = await api<Sold>("POST", "/v1/orders", { ...orderBody(cart), clientOrderId });
  } catch (failure) {
    if (!(failure instanceof Unreachable)) throw failure;
    online.value = false;
    return keepOffline(cart, tenders, clientOrderId, true);
  }
  let payment: PaymentOut | null = null;
  for (const { key, ...tender } of tenders) {
    if (order.status !== "open") break;
    const paid = await api<{ order: Sold; payment: PaymentOut }>(
      "POST",
      `/v1/orders/${encodeURIComponent(order.orderId)}/payments`,
      { ...tender, registerId: cart.registerId },
      { "Idempotency-Key": key },
    );
    order = paid.order;
    payment = paid.payment;
  }
  return { order, payment: payment ?? order.payments[order.payments.length - 1] };
}
