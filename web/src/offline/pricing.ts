// The offline total: the last prices and tax classes the server gave for this location and
// the location's tax rates, computed as the server does (per line and rate, rounded to the
// currency's minor unit). On submission the server prices the sale again; a different total
// is shown to the cashier, never charged silently.
import { Unreachable, api } from "../api";
import { online } from "../connection";
import type { Priced } from "../sale";
import { activeProducts, priceAt } from "../products";
import type { Item } from "../till";
import { cached, itemsKey } from "./kept";
import { kept } from "./store";

/** Where the tenant's currency is kept (till.ts tenantCurrency). */
export const CURRENCY = "currency";

interface PricingFacts {
  taxInclusive: boolean;
  /** Percent rates per tax class. */
  rates: Record<string, number[]>;
  /** Price and tax class per SKU (variants included). */
  items: Record<string, { price: number; taxClass: string }>;
  /** The SKU each barcode names (a scan offline). */
  barcodes: Record<string, string>;
}

async function readFacts(locationId: string): Promise<PricingFacts> {
  const at = `/v1/locations/${encodeURIComponent(locationId)}`;
  // At once, so the products are the read the grid has under way (products.ts).
  const [place, taxRates, products] = await Promise.all([
    api<{ taxInclusive: boolean }>("GET", at),
    api<{ items: { taxClass: string; rate: number }[] }>("GET", `${at}/tax-rates?active=true&pageSize=200`),
    activeProducts(locationId),
  ]);
  const rates: Record<string, number[]> = {};
  for (const rate of taxRates.items) (rates[rate.taxClass] ??= []).push(Number(rate.rate));
  const items: PricingFacts["items"] = {};
  const barcodes: PricingFacts["barcodes"] = {};
  for (const product of products) {
    const price = priceAt(product, locationId);
    items[product.sku] = { price, taxClass: product.taxClass };
    if (product.barcode && product.variants.length === 0) barcodes[product.barcode] = product.sku;
    for (const v of product.variants) {
      items[v.sku] = { price: v.price ?? price, taxClass: product.taxClass };
      if (v.barcode) barcodes[v.barcode] = v.sku;
    }
  }
  return { taxInclusive: place.taxInclusive, rates, items, barcodes };
}

/** The pricing facts of the location, read again while the server answers. */
export function pricingFacts(locationId: string): Promise<PricingFacts> {
  return cached(`pricing:${locationId}`, () => readFacts(locationId));
}

/** Read again whenever the grid is, so the register has them when the connection drops (a
 * failure here leaves the last ones kept). */
export async function keepPricingFacts(locationId: string): Promise<void> {
  await pricingFacts(locationId).catch(() => undefined);
}

function minorUnits(currency: string): number {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
    .maximumFractionDigits;
  return 10 ** (digits ?? 2);
}

/** The cart priced from the kept facts; null when an item is not among them. */
export async function offlinePrice(
  locationId: string,
  lineItems: { sku: string; quantity: number }[],
): Promise<Priced | null> {
  const facts = await pricingFacts(locationId);
  const currency = await kept<string>(CURRENCY);
  if (currency === undefined) return null;
  const unit = minorUnits(currency);
  let net = 0;
  let tax = 0;
  const lines: Priced["lineItems"] = [];
  for (const line of lineItems) {
    const item = facts.items[line.sku];
    if (item === undefined) return null;
    const amount = Math.round(item.price * unit * line.quantity);
    const percents = facts.rates[item.taxClass] ?? [];
    const divisor = facts.taxInclusive ? 100 + percents.reduce((a, b) => a + b, 0) : 100;
    net += amount;
    for (const p of percents) tax += Math.round((amount * p) / divisor);
    lines.push({ sku: line.sku, subtotal: amount / unit, discount: 0, total: amount / unit });
  }
  const grand = (facts.taxInclusive ? net : net + tax) / unit;
  const totals = { subtotal: net / unit, discountTotal: 0, taxTotal: tax / unit, grandTotal: grand };
  return {
    lineItems: lines,
    totals: { ...totals, cashRounding: 0, paid: 0, balanceDue: grand },
    approvalNeeded: [],
    cashDue: grand,
  };
}

/** The server's price for a cart, or the offline one when the server cannot be reached. */
export async function pricedOrOffline(
  locationId: string,
  lineItems: { sku: string; quantity: number }[],
  call: () => Promise<Priced>,
): Promise<Priced> {
  try {
    return await call();
  } catch (failure) {
    if (!(failure instanceof Unreachable)) throw failure;
    online.value = false;
    const offline = await offlinePrice(locationId, lineItems);
    if (offline === null) throw failure;
    return offline;
  }
}

/** The item a scanned code names, from the server, or from what the device kept when the
 * server cannot be reached (null: nothing on the grid has the code). */
export async function scannedOrOffline(
  locationId: string,
  code: string,
  call: () => Promise<Item | null>,
): Promise<Item | null> {
  try {
    return await call();
  } catch (failure) {
    if (!(failure instanceof Unreachable)) throw failure;
    online.value = false;
    const sku = (await pricingFacts(locationId)).barcodes[code];
    const items = (await kept<Item[]>(itemsKey(locationId))) ?? [];
    return items.find((item) => item.sku === sku) ?? null;
  }
}
