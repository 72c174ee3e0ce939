// The cash drawers over a range of business days: per shift (with its register and status),
// per location and day, or per location; the totals row and the same report as CSV.
import { useState } from "preact/hooks";

import { type StringKey, t } from "../../i18n";
import { chosenDays, csvName, LocationFilter, RangeFilter, reportLocation, useReport } from "./Filters";
import { type Column, CsvLink, ReportTable } from "./ReportTable";
import { report as fetchReport, reportPath, type SalesReport } from "./reportsApi";

const GROUPINGS = ["shift", "day", "location"] as const;

const FIRST: Record<string, Column[]> = {
  shift: [
    { key: "openedAt", label: "reports.cash.openedAt", kind: "moment" },
    { key: "businessDay", label: "reports.cash.businessDay", kind: "date" },
    { key: "statusText", label: "reports.cash.status", kind: "text" },
  ],
  day: [
    { key: "businessDay", label: "reports.cash.businessDay", kind: "date" },
    { key: "locationName", label: "reports.location", kind: "text" },
  ],
  location: [{ key: "name", label: "reports.location", kind: "text" }],
};

const FIGURES: Column[] = [
  { key: "shiftCount", label: "reports.cash.shifts", kind: "number" },
  { key: "openingFloat", label: "reports.cash.openingFloat", kind: "money" },
  { key: "cashSales", label: "reports.cash.sales", kind: "money" },
  { key: "cashRefunds", label: "reports.cash.refunds", kind: "money" },
  { key: "paidIn", label: "reports.cash.paidIn", kind: "money" },
  { key: "paidOut", label: "reports.cash.paidOut", kind: "money" },
  { key: "expectedCash", label: "reports.cash.expected", kind: "money" },
  { key: "countedCash", label: "reports.cash.counted", kind: "money" },
  { key: "overShort", label: "reports.cash.overShort", kind: "money" },
];

interface CashReportData extends SalesReport {
  locations: { locationId: string; name: string }[];
}

export function CashReport() {
  const [groupBy, setGroupBy] = useState<string>("shift");
  const [from, to] = chosenDays();
  const locationId = reportLocation.value;
  const query = { from, to, groupBy, locationId };
  const [report, error] = useReport(
    () => fetchReport<CashReportData>("cash", query),
    [from, to, groupBy, locationId],
  );
  const names = new Map(report?.locations.map((l) => [l.locationId, l.name]) ?? []);
  const rows = (report?.rows ?? []).map((row) => ({
    ...row,
    locationName: names.get(String(row.locationId)) ?? row.locationId,
    statusText: row.status ? t(`reports.cash.status.${row.status}` as StringKey) : null,
  }));
  return (
    <>
      <div class="toolbar">
        <RangeFilter id="cash" />
        <LocationFilter id="cash" />
        <div>
          <label for="cash-group">{t("reports.groupBy")}</label>
          <select id="cash-group" value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value)}>
            {GROUPINGS.map((g) => (
              <option key={g} value={g}>
                {t(`reports.cash.group.${g}` as StringKey)}
              </option>
            ))}
          </select>
        </div>
        <CsvLink path={reportPath("cash", query, "csv")} name={csvName("cash", from, to, groupBy)} />
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {report && rows.length === 0 && <p>{t("reports.cash.none")}</p>}
      {report && report.groupBy === groupBy && (
        <ReportTable
          id="cash-report"
          caption={t("reports.cashCaption", { from: report.from, to: report.to })}
          columns={[...FIRST[groupBy], ...FIGURES]}
          rows={rows}
          totals={report.totals}
          currency={report.currency}
        />
      )}
    </>
  );
}
