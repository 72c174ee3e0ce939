// The stock pages' calls to /v1/inventory and the shapes they use. Quantities are the server's
// decimals; the app only shows them and sends what the person typed.
import { signal } from "@preact/signals";

import { api } from "../../api";

export interface Page<T> {
  items: T[];
  total: number;
}

export interface Location {
  locationId: string;
  name: string;
}

export interface Level {
  variantId: string;
  sku: string;
  name: string;
  onHand: number;
  available: number;
  inTransit: number;
  reorderPoint: number | null;
}

export interface CountLine {
  sku: string | null;
  name: string | null;
  expected: number;
  counted: number;
  variance: number;
}

export interface Count {
  countId: string;
  locationId: string;
  status: "open" | "committed" | "cancelled";
  lineCount: number;
  createdAt: string;
  lines: CountLine[] | null;
}

export interface TransferLine {
  sku: string;
  quantity: number;
  received: number;
  outstanding: number;
}

export interface Transfer {
  transferId: string;
  sourceLocationId: string;
  destinationLocationId: string;
  status: "draft" | "shipped" | "partially_received" | "received" | "cancelled";
  lines: TransferLine[];
  createdAt: string;
}

export const ADJUSTMENT_REASONS = [
  "received",
  "damage",
  "theft",
  "loss",
  "return",
  "correction",
  "other",
] as const;

/** The location the stock pages show, kept while moving between them. */
export const stockLocation = signal<string | null>(null);

const q = encodeURIComponent;

export async function locations(): Promise<Location[]> {
  return (await api<Page<Location>>("GET", "/v1/locations?pageSize=200")).items;
}

export function levels(locationId: string, text: string, lowOnly: boolean): Promise<Page<Level>> {
  let query = `locationId=${q(locationId)}&pageSize=200`;
  if (text.trim()) query += `&q=${q(text.trim())}`;
  if (lowOnly) query += "&belowReorderPoint=true";
  return api("GET", `/v1/inventory/levels?${query}`);
}

export function adjust(
  locationId: string,
  sku: string,
  deltaQuantity: number,
  reason: string,
  notes: string,
) {
  return api("POST", "/v1/inventory/adjustments", {
    locationId,
    reason,
    notes,
    items: [{ sku, deltaQuantity }],
  });
}

export function setReorderPoint(locationId: string, sku: string, reorderPoint: number) {
  return api("PUT", "/v1/inventory/levels", { locationId, sku, reorderPoint });
}

export async function counts(locationId: string): Promise<Count[]> {
  const query = `locationId=${q(locationId)}&pageSize=50`;
  return (await api<Page<Count>>("GET", `/v1/inventory/counts?${query}`)).items;
}

export function startCount(locationId: string): Promise<Count> {
  return api("POST", "/v1/inventory/counts", { locationId });
}

export function count(countId: string): Promise<Count> {
  return api("GET", `/v1/inventory/counts/${q(countId)}`);
}

/** One scan adds one; a typed quantity replaces what was counted of the item. */
export function countLine(countId: string, sku: string, counted: number | null): Promise<unknown> {
  const line = counted === null ? { sku, increment: 1 } : { sku, countedQuantity: counted };
  return api("POST", `/v1/inventory/counts/${q(countId)}/lines`, { items: [line] });
}

export function finishCount(countId: string, how: "commit" | "cancel"): Promise<Count> {
  return api("POST", `/v1/inventory/counts/${q(countId)}/${how}`);
}

export async function transfers(): Promise<Transfer[]> {
  return (await api<Page<Transfer>>("GET", "/v1/inventory/transfers?pageSize=100")).items;
}

export function createTransfer(from: string, to: string, sku: string, quantity: number): Promise<Transfer> {
  return api("POST", "/v1/inventory/transfers", {
    sourceLocationId: from,
    destinationLocationId: to,
    items: [{ sku, quantity }],
  });
}

/** Ship, cancel, or receive everything still outstanding. */
export function moveTransfer(transfer: Transfer, step: "ship" | "receive" | "cancel"): Promise<Transfer> {
  const path = `/v1/inventory/transfers/${q(transfer.transferId)}/${step}`;
  if (step !== "receive") return api("POST", path);
  const items = transfer.lines
    .filter((l) => l.outstanding > 0)
    .map((l) => ({ sku: l.sku, quantity: l.outstanding }));
  return api("POST", path, { items });
}
