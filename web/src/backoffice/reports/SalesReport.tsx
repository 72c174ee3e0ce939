// Sales over a range of business days, grouped by day, hour, register, employee, category,
// channel or shift: the figures per group, the totals row and the same report as CSV.
import { useState } from "preact/hooks";

import { type StringKey, t } from "../../i18n";
import { chosenDays, csvName, LocationFilter, RangeFilter, reportLocation, useReport } from "./Filters";
import { type Column, CsvLink, ReportTable } from "./ReportTable";
import { reportPath, salesReport } from "./reportsApi";

const GROUPINGS = ["day", "hour", "register", "employee", "category", "channel", "shift"] as const;

const FIGURES: Column[] = [
  { key: "orders", label: "reports.orders", kind: "number" },
  // Net sales early: the figure most read, seen without scrolling on a tablet.
  { key: "netSales", label: "reports.netSales", kind: "money" },
  { key: "units", label: "reports.units", kind: "number" },
  { key: "grossSales", label: "reports.grossSales", kind: "money" },
  { key: "discounts", label: "reports.discounts", kind: "money" },
  { key: "returns", label: "reports.returns", kind: "money" },
  { key: "voids", label: "reports.voids", kind: "money" },
  { key: "tax", label: "reports.tax", kind: "money" },
  { key: "tips", label: "reports.tips", kind: "money" },
  { key: "totalCollected", label: "reports.totalCollected", kind: "money" },
  { key: "averageTicket", label: "reports.averageTicket", kind: "money" },
  { key: "costOfGoods", label: "reports.costOfGoods", kind: "money" },
  { key: "margin", label: "reports.margin", kind: "money" },
];

export function SalesReport() {
  const [groupBy, setGroupBy] = useState<string>("day");
  const [from, to] = chosenDays();
  const locationId = reportLocation.value;
  const query = { from, to, groupBy, locationId };
  const [report, error] = useReport(() => salesReport(query), [from, to, groupBy, locationId]);
  const columns: Column[] = [
    { key: "label", label: `reports.group.${groupBy}` as StringKey, kind: "text" },
    ...FIGURES,
  ];
  return (
    <>
      <div class="toolbar">
        <RangeFilter id="sales" />
        <LocationFilter id="sales" />
        <div>
          <label for="sales-group">{t("reports.groupBy")}</label>
          <select id="sales-group" value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value)}>
            {GROUPINGS.map((g) => (
              <option key={g} value={g}>
                {t(`reports.group.${g}` as StringKey)}
              </option>
            ))}
          </select>
        </div>
        <CsvLink
          path={reportPath("daily-sales", query, "csv")}
          name={csvName("daily-sales", from, to, groupBy)}
        />
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {report && report.rows.length === 0 && <p>{t("reports.noSales")}</p>}
      {report && (
        <ReportTable
          id="sales-report"
          caption={t("reports.salesCaption", { from: report.from, to: report.to })}
          columns={columns}
          rows={report.rows}
          totals={report.totals}
          currency={report.currency}
        />
      )}
    </>
  );
}
