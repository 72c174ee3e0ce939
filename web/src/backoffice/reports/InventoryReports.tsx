// The inventory reports: the stock's value at cost as of a date, its movement over a range of
// days, the dead stock (no sale in so many days) and the low stock (at or below the reorder
// point), each with the same report as CSV.
import { useState } from "preact/hooks";

import { type StringKey, t } from "../../i18n";
import { href } from "../route";
import { chosenDays, LocationFilter, locationNames, RangeFilter, reportLocation, useReport } from "./Filters";
import { type Column, CsvLink, ReportTable } from "./ReportTable";
import { type Query, type Report, report as fetchReport, reportPath, today } from "./reportsApi";

export const INVENTORY_PAGES = ["valuation", "movement", "dead", "low"] as const;
type Page = (typeof INVENTORY_PAGES)[number];

const ENDPOINT: Record<Page, string> = {
  valuation: "inventory-valuation",
  movement: "stock-movement",
  dead: "dead-stock",
  low: "low-stock",
};

const ITEM: Column[] = [
  { key: "name", label: "reports.item", kind: "text" },
  { key: "sku", label: "reports.sku", kind: "text" },
];

const COLUMNS: Record<Page, Column[]> = {
  valuation: [
    { key: "categoryLabel", label: "reports.category", kind: "text" },
    { key: "locationName", label: "reports.location", kind: "text" },
    { key: "quantity", label: "reports.quantity", kind: "number" },
    { key: "value", label: "reports.value", kind: "money" },
    { key: "unknownCostQuantity", label: "reports.unknownCost", kind: "number" },
  ],
  movement: [
    ...ITEM,
    { key: "opening", label: "reports.opening", kind: "number" },
    { key: "received", label: "reports.received", kind: "number" },
    { key: "sold", label: "reports.sold", kind: "number" },
    { key: "returned", label: "reports.returned", kind: "number" },
    { key: "adjusted", label: "reports.adjusted", kind: "number" },
    { key: "counted", label: "reports.counted", kind: "number" },
    { key: "transferredIn", label: "reports.transferredIn", kind: "number" },
    { key: "transferredOut", label: "reports.transferredOut", kind: "number" },
    { key: "closing", label: "reports.closing", kind: "number" },
  ],
  dead: [
    ...ITEM,
    { key: "onHand", label: "reports.onHand", kind: "number" },
    { key: "lastSoldAt", label: "reports.lastSold", kind: "moment" },
    { key: "unitCost", label: "reports.unitCost", kind: "money" },
    { key: "value", label: "reports.value", kind: "money" },
  ],
  low: [
    ...ITEM,
    { key: "onHand", label: "reports.onHand", kind: "number" },
    { key: "reserved", label: "reports.reserved", kind: "number" },
    { key: "available", label: "reports.available", kind: "number" },
    { key: "reorderPoint", label: "reports.reorderPoint", kind: "number" },
    { key: "shortBy", label: "reports.shortBy", kind: "number" },
  ],
};

/** The end of a date, in the device's time zone, as the moment ``asOf`` takes. */
function endOf(day: string): string {
  const end = new Date(`${day}T23:59:59`);
  const offset = -end.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0");
  const minutes = String(Math.abs(offset) % 60).padStart(2, "0");
  return `${day}T23:59:59${sign}${hours}:${minutes}`;
}

export function InventoryReports({ page, currency }: { page: string; currency: string }) {
  const shown: Page = (INVENTORY_PAGES as readonly string[]).includes(page) ? (page as Page) : "valuation";
  const [asOf, setAsOf] = useState(today());
  const [days, setDays] = useState("90");
  const [from, to] = chosenDays();
  const locationId = reportLocation.value;
  const query: Query = { locationId };
  if (shown === "valuation") Object.assign(query, { asOf: asOf ? endOf(asOf) : null });
  if (shown === "movement") Object.assign(query, { from, to });
  if (shown === "dead") Object.assign(query, { days });
  const [data, error] = useReport(
    () => fetchReport<Report>(ENDPOINT[shown], query),
    [shown, JSON.stringify(query)],
  );
  const names = locationNames.value;
  const rows = (data?.rows ?? []).map((row) => ({
    ...row,
    categoryLabel: row.categoryId === null ? t("reports.noCategory") : row.categoryName,
    locationName: row.locationName ?? names.get(String(row.locationId)) ?? row.locationId,
  }));
  // With several locations, a row per item says which location it is at.
  const columns =
    shown !== "valuation" && names.size > 1 && locationId === ""
      ? [...ITEM, { key: "locationName", label: "reports.location", kind: "text" } as Column, ...COLUMNS[shown].slice(2)]
      : COLUMNS[shown];
  return (
    <>
      <nav class="tabs" aria-label={t("reports.inventoryPages")}>
        {INVENTORY_PAGES.map((p) => (
          <a key={p} href={href(["reports", "inventory", p])} aria-current={p === shown ? "page" : undefined}>
            {t(`reports.inventory.${p}` as StringKey)}
          </a>
        ))}
      </nav>
      <div class="toolbar">
        {shown === "valuation" && (
          <div>
            <label for="valuation-as-of">{t("reports.asOf")}</label>
            <input id="valuation-as-of" type="date" value={asOf} onChange={(e) => setAsOf(e.currentTarget.value)} />
          </div>
        )}
        {shown === "movement" && <RangeFilter id="movement" />}
        {shown === "dead" && (
          <div>
            <label for="dead-days">{t("reports.deadDays")}</label>
            <input
              id="dead-days"
              type="number"
              min={1}
              max={3660}
              inputMode="numeric"
              value={days}
              onChange={(e) => setDays(e.currentTarget.value)}
            />
          </div>
        )}
        <LocationFilter id="inventory" />
        <CsvLink path={reportPath(ENDPOINT[shown], query, "csv")} name={`${ENDPOINT[shown]}.csv`} />
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {data && rows.length === 0 && <p>{t("reports.nothing")}</p>}
      {data && rows.length > 0 && (
        <ReportTable
          id={`${shown}-report`}
          caption={t(`reports.inventory.${shown}` as StringKey)}
          columns={columns}
          rows={rows}
          totals={data.totals}
          currency={data.currency ?? currency}
        />
      )}
    </>
  );
}
