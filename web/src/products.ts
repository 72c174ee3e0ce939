// The location's active products as the register reads them: every page of
// GET /v1/catalog/products. The grid and the offline prices both need them when the register
// opens; asked for together, they share one read.
import { api } from "./api";

export interface ProductRow {
  name: string;
  sku: string;
  barcode: string | null;
  price: number;
  taxClass: string;
  archived: boolean;
  giftCard: boolean;
  soldBy: "unit" | "weight";
  modifierGroupIds: string[];
  locationPrices: { locationId: string; price: number }[];
  variants: { name: string; sku: string; barcode: string | null; price: number | null }[];
}

const PAGE_SIZE = 200;
const reading = new Map<string, Promise<ProductRow[]>>();

async function readAll(locationId: string): Promise<ProductRow[]> {
  const rows: ProductRow[] = [];
  for (let page = 1; ; page++) {
    const query = `locationId=${encodeURIComponent(locationId)}&active=true&pageSize=${PAGE_SIZE}&page=${page}`;
    const answer = await api<{ items: ProductRow[]; total: number }>("GET", `/v1/catalog/products?${query}`);
    rows.push(...answer.items);
    if (page * PAGE_SIZE >= answer.total || answer.items.length === 0) return rows;
  }
}

/** The location's active products; a read already under way is shared, a finished one is not
 * kept (the next load reads them again). */
export function activeProducts(locationId: string): Promise<ProductRow[]> {
  let read = reading.get(locationId);
  if (read === undefined) {
    read = readAll(locationId).finally(() => reading.delete(locationId));
    reading.set(locationId, read);
  }
  return read;
}

/** The product's price at this location (its own there, or the product's). */
export function priceAt(product: ProductRow, locationId: string): number {
  return product.locationPrices.find((p) => p.locationId === locationId)?.price ?? product.price;
}
