// Parking a sale and resuming it, here or on another register of the location: a parked sale
// is an open order on the server (its clientOrderId still names it), so any register sees it.
import { api } from "./api";
import { type Cart, type CartLine, type Discount, orderBody, type Sold } from "./sale";
import type { Item } from "./till";

interface OrderDiscount {
  type: Discount["type"];
  value: number;
  reason: string | null;
  promotion: unknown;
}

export interface ParkedOrder extends Sold {
  locationId: string;
  clientOrderId: string | null;
  registerId: string | null;
  customerId: string | null;
  notes: string;
  createdAt: string;
  discounts: OrderDiscount[];
  lineItems: (Sold["lineItems"][number] & {
    lineItemId: string;
    name: string;
    quantity: number;
    unitPrice: number;
    notes: string;
    modifiers: { optionId: string; name: string }[];
    discounts: OrderDiscount[];
  })[];
}

/** A resumed sale: the parked order, and the cart as it was resumed (to tell a change). */
export interface Resumed {
  orderId: string;
  clientOrderId: string;
  asResumed: string;
}

/** The cart kept on the server as an open order (the one its clientOrderId already names, if
 * an attempt to pay it created one): what resuming it later needs. */
export async function park(cart: Cart, clientOrderId: string): Promise<Resumed> {
  const body = orderBody(cart);
  const order = await api<Sold>("POST", "/v1/orders", { ...body, clientOrderId });
  return { orderId: order.orderId, clientOrderId, asResumed: JSON.stringify(body) };
}

/** The location's open orders that a register parked, oldest first. */
export async function parkedSales(locationId: string): Promise<ParkedOrder[]> {
  const query = `locationId=${encodeURIComponent(locationId)}&status=open&pageSize=100`;
  const page = await api<{ items: ParkedOrder[] }>("GET", `/v1/orders?${query}`);
  return page.items.filter((order) => order.clientOrderId !== null && order.payments.length === 0);
}

/** The cashier's own discount (a promotion's is the server's to apply again). */
function manual(discounts: OrderDiscount[]): Discount | null {
  const given = discounts.find((d) => d.promotion === null || d.promotion === undefined);
  return given ? { type: given.type, value: given.value, reason: given.reason ?? undefined } : null;
}

/** Take the parked order onto this register and back into a cart. */
export async function resume(
  order: ParkedOrder,
  registerId: string,
  items: Item[],
): Promise<{ cart: Cart; resumed: Resumed }> {
  if (order.registerId !== registerId) {
    await api("PATCH", `/v1/orders/${encodeURIComponent(order.orderId)}`, { registerId });
  }
  let customer = null;
  if (order.customerId !== null) {
    const who = await api<{ firstName: string; lastName: string }>(
      "GET",
      `/v1/customers/${encodeURIComponent(order.customerId)}`,
    );
    customer = { customerId: order.customerId, name: `${who.firstName} ${who.lastName}`.trim() };
  }
  const lines: CartLine[] = order.lineItems.map((line) => {
    const known = items.find((item) => item.sku === line.sku);
    const item: Item = known ?? {
      name: line.name,
      sku: line.sku,
      price: line.unitPrice,
      soldBy: Number.isInteger(line.quantity) ? "unit" : "weight",
      modifierGroupIds: [],
    };
    return {
      key: line.lineItemId,
      item,
      quantity: line.quantity,
      modifiers: line.modifiers.map((m) => ({ optionId: m.optionId, name: m.name })),
      discount: manual(line.discounts),
      notes: line.notes,
    };
  });
  const cart: Cart = {
    locationId: order.locationId,
    registerId,
    lines,
    discount: manual(order.discounts),
    notes: order.notes,
    customer,
    approval: null,
  };
  const clientOrderId = order.clientOrderId ?? order.orderId;
  return { cart, resumed: { orderId: order.orderId, clientOrderId, asResumed: JSON.stringify(orderBody(cart)) } };
}

/** A resumed sale changed since: make the parked order what the cart is now (its lines
 * replaced, its discounts, note and customer set), read afresh so a retry starts over. */
export async function bringUpToDate(resumed: Resumed, cart: Cart): Promise<void> {
  const body = orderBody(cart);
  if (JSON.stringify(body) === resumed.asResumed) return;
  const at = `/v1/orders/${encodeURIComponent(resumed.orderId)}`;
  const order = await api<ParkedOrder>("GET", at);
  const approval = cart.approval ?? undefined;
  for (const line of body.lineItems) await api("POST", `${at}/line-items`, { ...line, approval });
  for (const line of order.lineItems) {
    await api("DELETE", `${at}/line-items/${encodeURIComponent(line.lineItemId)}`);
  }
  await api("PATCH", at, {
    discounts: body.discounts,
    notes: body.notes,
    customerId: body.customerId ?? null,
    approval,
  });
  resumed.asResumed = JSON.stringify(body);
}
