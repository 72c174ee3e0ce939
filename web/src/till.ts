// The register's calls around a sale: its shift and what it sells (the sale itself, priced
// and paid, is sale.ts). What they answer is kept on the device for selling offline.
import { api, nullOn } from "./api";
import { cached, itemsKey, shiftKey } from "./offline/kept";
import { CURRENCY, keepPricingFacts, scannedOrOffline } from "./offline/pricing";
import { keep } from "./offline/store";
import { activeProducts, priceAt } from "./products";

export interface Item {
  name: string;
  sku: string;
  price: number;
  soldBy: "unit" | "weight";
  /** Groups the cashier chooses from when adding it (each with its min and max). */
  modifierGroupIds: string[];
}

export interface ModifierGroup {
  modifierGroupId: string;
  name: string;
  minSelections: number;
  maxSelections: number;
  options: { optionId: string; name: string; priceDelta: number; active: boolean }[];
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

/** What the grid offers at this location: active products (by the unit or by weight, with
 * their modifier groups), each variant a button, at the location's price. */
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
  for (const product of await activeProducts(locationId)) {
    if (product.archived || product.giftCard) continue;
    const price = priceAt(product, locationId);
    const { soldBy, modifierGroupIds } = product;
    if (product.variants.length === 0) {
      items.push({ name: product.name, sku: product.sku, price, soldBy, modifierGroupIds });
    }
    for (const v of product.variants) {
      const name = `${product.name} — ${v.name}`;
      items.push({ name, sku: v.sku, price: v.price ?? price, soldBy, modifierGroupIds });
    }
  }
  return items;
}

/** The item a scanned code names at this location (404 when nothing has it). */
export async function scanned(locationId: string, code: string): Promise<Item | null> {
  return scannedOrOffline(locationId, code, () => scannedOnline(locationId, code));
}

async function scannedOnline(locationId: string, code: string): Promise<Item | null> {
  const query = `barcode=${encodeURIComponent(code)}&locationId=${encodeURIComponent(locationId)}`;
  const found = await nullOn(
    404,
    api<Item & { variants: unknown[] }>(
      "GET",
      `/v1/catalog/lookup?${query}`,
    ),
  );
  // Nothing has the code, or it is a parent's: its variants are picked on the grid.
  if (found === null || found.variants.length > 0) return null;
  const { name, sku, price, soldBy, modifierGroupIds } = found;
  return { name, sku, price, soldBy, modifierGroupIds };
}

export async function modifierGroup(modifierGroupId: string): Promise<ModifierGroup> {
  return api<ModifierGroup>("GET", `/v1/catalog/modifier-groups/${encodeURIComponent(modifierGroupId)}`);
}
