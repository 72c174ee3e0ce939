// Orders already rung up: found by receipt number or in today's list, then refunded, voided
// or exchanged. Amounts refunded are the server's (pro rata, to the original tenders).
import { api } from "./api";
import type { Tender } from "./sale";

export interface OrderLine {
  lineItemId: string;
  sku: string;
  name: string;
  quantity: number;
  refundedQuantity: number;
  total: number;
}

export interface Order {
  orderId: string;
  locationId: string;
  receiptNumber: string | null;
  status: string;
  occurredAt: string;
  lineItems: OrderLine[];
  totals: { grandTotal: number; balanceDue: number };
  payments: { tenderType: string; amount: number; status: string }[];
  refunds: { refundId: string; amount: number; reason: string }[];
}

export interface Refund {
  refundId: string;
  amount: number;
  tenders: { tenderType: string; amount: number }[];
}

interface Page<T> {
  items: T[];
  total: number;
}

/** The order of a receipt at this location, or null when none has that number. */
export async function orderByReceipt(locationId: string, receiptNumber: string): Promise<Order | null> {
  const query = `locationId=${encodeURIComponent(locationId)}&receiptNumber=${encodeURIComponent(receiptNumber)}`;
  const page = await api<Page<Order>>("GET", `/v1/orders?${query}`);
  return page.items[0] ?? null;
}

/** Today's orders at this location (since the device's midnight), the newest first. */
export async function todaysOrders(locationId: string): Promise<Order[]> {
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  const query = `locationId=${encodeURIComponent(locationId)}&dateFrom=${encodeURIComponent(midnight.toISOString())}&pageSize=200`;
  const first = await api<Page<Order>>("GET", `/v1/orders?${query}`);
  // Listed oldest first: on a day of more than one page, the newest 200 are on the last two.
  const last = Math.ceil(first.total / 200);
  if (last <= 1) return first.items.reverse();
  const pages = await Promise.all(
    [last - 1, last].map((n) => api<Page<Order>>("GET", `/v1/orders?${query}&page=${n}`)),
  );
  return pages.flatMap((p) => p.items).reverse().slice(0, 200);
}

export async function order(orderId: string): Promise<Order> {
  return api<Order>("GET", `/v1/orders/${encodeURIComponent(orderId)}`);
}

export async function refund(
  orderId: string,
  registerId: string,
  lines: { lineItemId: string; quantity: number }[],
  reason: string,
): Promise<Refund> {
  return api<Refund>("POST", `/v1/orders/${encodeURIComponent(orderId)}/refunds`, {
    lineItems: lines.map((line) => ({ ...line, restock: true })),
    reason,
    registerId,
  });
}

export async function voidOrder(orderId: string, reason: string): Promise<void> {
  await api("POST", `/v1/orders/${encodeURIComponent(orderId)}/void`, { reason });
}

/** Goods back and new goods out in one go: the return's value pays the new order first; what
 * it does not cover is left due on the new order (paid next), and what is over goes back to
 * the original tenders. */
export async function exchange(
  orderId: string,
  registerId: string,
  returned: { lineItemId: string; quantity: number }[],
  newLines: { sku: string; quantity: number }[],
  reason: string,
): Promise<{ refund: Refund; order: Order }> {
  return api("POST", `/v1/orders/${encodeURIComponent(orderId)}/exchanges`, {
    returned: returned.map((line) => ({ ...line, restock: true })),
    newLineItems: newLines,
    reason,
    registerId,
  });
}

export async function payBalance(
  orderId: string,
  registerId: string,
  tender: Omit<Tender, "key">,
): Promise<Order> {
  const paid = await api<{ order: Order }>("POST", `/v1/orders/${encodeURIComponent(orderId)}/payments`, {
    ...tender,
    registerId,
  });
  return paid.order;
}
