// The reports pages' calls to /v1/reports and the shapes they read. Money arrives as decimal
// numbers in the currency's major unit, quantities as decimals; the pages only show them.
import { api } from "../../api";

export type Row = Record<string, unknown>;

export interface Report {
  rows: Row[];
  totals?: Row;
  currency?: string;
  from?: string;
  to?: string;
}

export interface SalesReport extends Report {
  currency: string;
  from: string;
  to: string;
  totals: Row;
  groupBy?: string;
}

export type Query = Record<string, string | number | null | undefined>;

/** ``/v1/reports/<name>?…`` with the parameters that have a value. */
export function reportPath(name: string, query: Query, format?: "csv"): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== "") params.set(key, String(value));
  }
  if (format) params.set("format", format);
  const text = params.toString();
  return `/v1/reports/${name}${text ? `?${text}` : ""}`;
}

export function report<T extends Report = Report>(name: string, query: Query): Promise<T> {
  return api<T>("GET", reportPath(name, query));
}

export function salesReport(query: Query): Promise<SalesReport> {
  return report<SalesReport>("daily-sales", query);
}

// Business days are calendar dates (YYYY-MM-DD); the arithmetic is done at noon UTC so no
// daylight-saving change moves a day.
export function addDays(day: string, days: number): string {
  const moment = new Date(`${day}T12:00:00Z`);
  moment.setUTCDate(moment.getUTCDate() + days);
  return moment.toISOString().slice(0, 10);
}

/** The device's own date today. */
export function today(): string {
  const now = new Date();
  const month = String(now.getMonth() + 1).padStart(2, "0");
  const day = String(now.getDate()).padStart(2, "0");
  return `${now.getFullYear()}-${month}-${day}`;
}

export const RANGES = ["today", "yesterday", "last7", "last30", "custom"] as const;
export type RangeName = (typeof RANGES)[number];

/** The first and last business day of a named range, ending on ``day``. */
export function rangeDays(range: Exclude<RangeName, "custom">, day: string): [string, string] {
  if (range === "today") return [day, day];
  if (range === "yesterday") return [addDays(day, -1), addDays(day, -1)];
  return [addDays(day, range === "last7" ? -6 : -29), day];
}
