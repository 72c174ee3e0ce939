// The register's selling calls: its shift, what it sells, pricing a cart and taking payment.
// Prices and totals are always the server's (POST /v1/orders/calculate): the app only shows
// them.
import { Unreachable, api, nullOn } from "./api";
import { online } from "./connection";
import { cached, itemsKey, shiftKey } from "./offline/kept";
import { keepSale, mustWait } from "./offline/outbox";
import { CURRENCY, keepPricingFacts, pricedOrOffline, scannedOrOffline } from "./offline/pricing";
import { keep } from "./offline/store";

export interface Item {
  name: string;
  sku: string;
  price: number;
}

export interface CartLine {
  item: Item;
  quantity: number;
}

export interface Priced {
  totals: { taxTotal: number; grandTotal: number; balanceDue: number };
}

export interface Sold extends Priced {
  orderId: string;
  receiptNumber: string | null;
  status: string;
}

interface Page<T> {
  items: T[];
  total: number;
}

interface ProductRow {
  name: string;
  sku: string;
  price: number;
  archived: boolean;
  giftCard: boolean;
  soldBy: string;
  modifierGroupIds: string[];
  locationPrices: { locationId: string; price: number }[];
  variants: { name: string; sku: string; price: number | null }[];
}

export async function tenantCurrency(): Promise<string> {
  const read = async () => (await api<{ currency: string }>("GET", "/v1/tenant")).currency;
  return cached(CURRENCY, read);
}

/** The register's open shift, or null. */
export async function currentShift(registerId: string): Promise<{ shiftId: string } | null> {
  const path = `/v1/registers/${encodeURIComponent(registerId)}/shifts/current`;
  return cached(shiftKey(registerId), () => nullOn(404, api<{ shiftId: string }>("GET", path)));
}

export async function openShift(registerId: string, openingFloat: number): Promise<void> {
  const path = `/v1/registers/${encodeURIComponent(registerId)}/shifts`;
  const opened = await api<{ shiftId: string }>("POST", path, { openingFloat });
  await keep(shiftKey(registerId), { shiftId: opened.shiftId }); // offline selling knows it is open
}

/** What the grid offers at this location: active products sold by the unit, each variant a
 * button, at the location's price. */
export async function sellableItems(locationId: string): Promise<Item[]> {
  // Offline selling: the grid's last answer is kept, and the prices and taxes behind it.
  const [items] = await Promise.all([
    cached(itemsKey(locationId), () => sellableItemsOnline(locationId)),
    keepPricingFacts(locationId),
  ]);
  return items;
}

async function sellableItemsOnline(locationId: string): Promise<Item[]> {
  const items: Item[] = [];
  for (let page = 1; ; page++) {
    const query = `locationId=${encodeURIComponent(locationId)}&active=true&pageSize=200&page=${page}`;
    const rows = await api<Page<ProductRow>>("GET", `/v1/catalog/products?${query}`);
    for (const product of rows.items) {
      if (product.archived || product.giftCard || product.soldBy !== "unit") continue;
      if (product.modifierGroupIds.length > 0) continue; // modifier screens: not yet
      const here = product.locationPrices.find((p) => p.locationId === locationId);
      const price = here?.price ?? product.price;
      if (product.variants.length === 0) {
        items.push({ name: product.name, sku: product.sku, price });
      }
      for (const v of product.variants) {
        const name = `${product.name} — ${v.name}`;
        items.push({ name, sku: v.sku, price: v.price ?? price });
      }
    }
    if (page * 200 >= rows.total || rows.items.length === 0) return items;
  }
}

/** The item a scanned code names at this location (404 when nothing has it). */
export async function scanned(locationId: string, code: string): Promise<Item | null> {
  return scannedOrOffline(locationId, code, () => scannedOnline(locationId, code));
}

async function scannedOnline(locationId: string, code: string): Promise<Item | null> {
  const query = `barcode=${encodeURIComponent(code)}&locationId=${encodeURIComponent(locationId)}`;
  const found = await nullOn(
    404,
    api<{ name: string; sku: string; price: number; variants: unknown[] }>(
      "GET",
      `/v1/catalog/lookup?${query}`,
    ),
  );
  // Nothing has the code, or it is a parent's: its variants are picked on the grid.
  if (found === null || found.variants.length > 0) return null;
  return { name: found.name, sku: found.sku, price: found.price };
}

function orderBody(locationId: string, registerId: string, cart: CartLine[]) {
  return {
    locationId,
    registerId,
    lineItems: cart.map((line) => ({ sku: line.item.sku, quantity: line.quantity })),
  };
}

export async function price(locationId: string, registerId: string, cart: CartLine[]): Promise<Priced> {
  const body = orderBody(locationId, registerId, cart);
  const priceOnline = () => api<Priced>("POST", "/v1/orders/calculate", body);
  return pricedOrOffline(locationId, body.lineItems, priceOnline);
}

export interface Tender {
  tenderType: "cash" | "credit_card";
  amount: number;
  amountTendered?: number;
  cardLast4?: string;
  processorRef?: string;
}

export interface Paid {
  order: Sold;
  payment: { changeDue: number };
}

/** The sale rung up and paid: the order, then its payment. ``clientOrderId`` names this cart:
 * a retry after a failed payment finds the order the first attempt created instead of making
 * a second one. */
export async function ringUp(
  locationId: string,
  registerId: string,
  cart: CartLine[],
  tender: Tender,
  clientOrderId: string,
): Promise<Paid> {
  // Offline selling (web/src/offline/outbox.ts): with the server unreachable, or sales already
  // waiting, the paid sale waits on the device and is sent when the server answers again.
  const sale = {
    clientOrderId,
    order: orderBody(locationId, registerId, cart),
    payment: { ...tender, registerId },
    expectedTotal: tender.amount,
    summary: cart.map((line) => `${line.quantity} × ${line.item.name}`).join(", "),
  };
  if (mustWait()) return keepSale(sale, false);
  let order: Sold;
  try {
    order = await api<Sold>("POST", "/v1/orders", { ...sale.order, clientOrderId });
  } catch (failure) {
    if (!(failure instanceof Unreachable)) throw failure;
    online.value = false;
    return keepSale(sale, true);
  }
  return api<Paid>("POST", `/v1/orders/${encodeURIComponent(order.orderId)}/payments`, {
    ...tender,
    registerId,
  });
}
