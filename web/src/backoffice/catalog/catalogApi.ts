// The catalog as the back office reads and writes it: the public /v1/catalog API's shapes
// (only the fields these screens use) and the calls they make.
import { api } from "../../api";
import { currentUser } from "../../session";

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export interface LocationPrice {
  locationId: string;
  price: number;
}

export interface OptionValue {
  name: string;
  value: string;
}

export interface Variant {
  variantId: string;
  name: string;
  optionValues: OptionValue[];
  sku: string;
  barcode: string | null;
  barcodeInternal: boolean;
  price: number | null;
  archived: boolean;
  version: number;
}

export interface Product {
  productId: string;
  name: string;
  description: string;
  sku: string;
  barcode: string | null;
  barcodeInternal: boolean;
  category: string | null;
  categoryId: string | null;
  price: number;
  cost: number | null;
  taxClass: string;
  giftCard: boolean;
  soldBy: "unit" | "weight";
  modifierGroupIds: string[];
  locationPrices: LocationPrice[];
  variants: Variant[];
  archived: boolean;
  version: number;
}

export interface Category {
  categoryId: string;
  name: string;
  parentId: string | null;
  path: string;
  archived: boolean;
  version: number;
}

export interface ModifierOption {
  optionId?: string;
  name: string;
  priceDelta: number;
  active: boolean;
}

export interface ModifierGroup {
  modifierGroupId: string;
  name: string;
  minSelections: number;
  maxSelections: number;
  options: ModifierOption[];
  archived: boolean;
  version: number;
}

export interface TaxClass {
  code: string;
  name: string;
}

export interface Place {
  locationId: string;
  name: string;
}

export interface ImportError {
  line: number;
  sku?: string | null;
  field?: string | null;
  message: string;
}

export interface CatalogImport {
  importId: string;
  dryRun: boolean;
  status: "queued" | "running" | "succeeded" | "failed";
  filename: string | null;
  totalRows: number;
  processedRows: number;
  created: number;
  updated: number;
  errors: ImportError[];
  errorCount: number;
}

const CATALOG = "/v1/catalog";

function query(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") search.set(name, String(value));
  }
  return search.toString();
}

export interface ProductFilter {
  q: string;
  category: string;
  includeArchived: boolean;
  page: number;
}

export const PRODUCTS_PER_PAGE = 25;

export function listProducts(filter: ProductFilter): Promise<Page<Product>> {
  const params = query({
    q: filter.q.trim(),
    category: filter.category,
    includeArchived: filter.includeArchived || undefined,
    page: filter.page,
    pageSize: PRODUCTS_PER_PAGE,
  });
  return api("GET", `${CATALOG}/products?${params}`);
}

export function getProduct(productId: string): Promise<Product> {
  return api("GET", `${CATALOG}/products/${encodeURIComponent(productId)}?includeArchived=true`);
}

export function saveProduct(productId: string | null, body: Record<string, unknown>): Promise<Product> {
  if (productId === null) return api("POST", `${CATALOG}/products`, body);
  return api("PATCH", `${CATALOG}/products/${encodeURIComponent(productId)}`, body);
}

export function variantPath(productId: string, variantId?: string): string {
  const base = `${CATALOG}/products/${encodeURIComponent(productId)}/variants`;
  return variantId === undefined ? base : `${base}/${encodeURIComponent(variantId)}`;
}

/** Every page of a small list (categories, modifier groups, tax classes, locations). */
export async function listAll<T>(path: string, includeArchived = false): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const params = query({ page, pageSize: 200, includeArchived: includeArchived || undefined });
    const got = await api<Page<T>>("GET", `${path}?${params}`);
    items.push(...got.items);
    if (items.length >= got.total || got.items.length === 0) return items;
  }
}

export const categoriesPath = `${CATALOG}/categories`;
export const modifierGroupsPath = `${CATALOG}/modifier-groups`;

export async function startImport(file: File, checkOnly: boolean): Promise<CatalogImport> {
  // The server takes the file as a multipart "file" field; fetch sets the boundary itself, so
  // this one call does not go through api()'s JSON body.
  const form = new FormData();
  form.append("file", file, file.name);
  return api("POST", `${CATALOG}/imports${checkOnly ? "?dryRun=true" : ""}`, form);
}

export function getImport(importId: string): Promise<CatalogImport> {
  return api("GET", `${CATALOG}/imports/${encodeURIComponent(importId)}`);
}

export const exportPath = `${CATALOG}/export`;

/** Whether the signed-in person may change the catalog; without it the pages only show it. */
export function canChangeCatalog(): boolean {
  return currentUser.value?.permissions.includes("catalog:write") ?? false;
}
