// What sold and who sold it: the products report (per variant, product or category, sorted,
// top N, with the ABC class) and the staff report (per employee, or per employee and shift),
// each over a range of business days with the same report as CSV.
import { useState } from "preact/hooks";

import { type StringKey, t } from "../../i18n";
import { chosenDays, csvName, LocationFilter, RangeFilter, reportLocation, useReport } from "./Filters";
import { type Column, CsvLink, ReportTable } from "./ReportTable";
import { type Report, report as fetchReport, reportPath } from "./reportsApi";

function Choice(props: {
  id: string;
  label: StringKey;
  value: string;
  options: readonly string[];
  prefix: string;
  onValue: (value: string) => void;
}) {
  return (
    <div>
      <label for={props.id}>{t(props.label)}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onValue(e.currentTarget.value)}>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {t(`${props.prefix}.${o}` as StringKey)}
          </option>
        ))}
      </select>
    </div>
  );
}

const PRODUCT_COLUMNS: Column[] = [
  { key: "unitsSold", label: "reports.unitsSold", kind: "number" },
  { key: "netSales", label: "reports.netSales", kind: "money" },
  { key: "unitsReturned", label: "reports.unitsReturned", kind: "number" },
  { key: "grossSales", label: "reports.grossSales", kind: "money" },
  { key: "discounts", label: "reports.discounts", kind: "money" },
  { key: "returns", label: "reports.returns", kind: "money" },
  { key: "costOfGoods", label: "reports.costOfGoods", kind: "money" },
  { key: "margin", label: "reports.margin", kind: "money" },
  { key: "marginPercent", label: "reports.marginPercent", kind: "number" },
  { key: "onHand", label: "reports.onHand", kind: "number" },
  { key: "sellThrough", label: "reports.sellThrough", kind: "number" },
  { key: "abcClass", label: "reports.abcClass", kind: "text" },
];

const PRODUCT_GROUPINGS = ["variant", "product", "category"] as const;
const SORTS = ["netSales", "units", "margin", "marginPercent", "returns", "sellThrough"] as const;
const LIMITS = ["all", "10", "20", "50"] as const;

export function ProductsReport() {
  const [groupBy, setGroupBy] = useState("variant");
  const [sort, setSort] = useState("netSales");
  const [limit, setLimit] = useState("all");
  const [from, to] = chosenDays();
  const locationId = reportLocation.value;
  const query = { from, to, groupBy, sort, locationId, limit: limit === "all" ? null : limit };
  const [report, error] = useReport(
    () => fetchReport<Report>("products", query),
    [from, to, groupBy, sort, limit, locationId],
  );
  const first: Column[] = [{ key: "label", label: `reports.products.group.${groupBy}` as StringKey, kind: "text" }];
  if (groupBy === "variant") first.push({ key: "sku", label: "reports.sku", kind: "text" });
  return (
    <>
      <div class="toolbar">
        <RangeFilter id="products" />
        <LocationFilter id="products" />
        <Choice
          id="products-group"
          label="reports.groupBy"
          value={groupBy}
          options={PRODUCT_GROUPINGS}
          prefix="reports.products.group"
          onValue={setGroupBy}
        />
        <Choice id="products-sort" label="reports.sortBy" value={sort} options={SORTS} prefix="reports.sort" onValue={setSort} />
        <Choice id="products-limit" label="reports.show" value={limit} options={LIMITS} prefix="reports.limit" onValue={setLimit} />
        <CsvLink path={reportPath("products", query, "csv")} name={csvName("products", from, to, groupBy)} />
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {report && report.rows.length === 0 && <p>{t("reports.noSales")}</p>}
      {report && report.rows.length > 0 && (
        <ReportTable
          id="products-report"
          caption={t("reports.productsCaption", { from: report.from ?? from, to: report.to ?? to })}
          columns={[...first, ...PRODUCT_COLUMNS]}
          rows={report.rows}
          currency={report.currency ?? ""}
        />
      )}
    </>
  );
}

const STAFF_COLUMNS: Column[] = [
  { key: "orders", label: "reports.orders", kind: "number" },
  { key: "netSales", label: "reports.netSales", kind: "money" },
  { key: "averageTicket", label: "reports.averageTicket", kind: "money" },
  { key: "discounts", label: "reports.discounts", kind: "money" },
  { key: "refunds", label: "reports.refunds", kind: "number" },
  { key: "returns", label: "reports.returns", kind: "money" },
  { key: "voidedOrders", label: "reports.voidedOrders", kind: "number" },
  { key: "voids", label: "reports.voids", kind: "money" },
  { key: "tips", label: "reports.tips", kind: "money" },
];

export function StaffReport() {
  const [groupBy, setGroupBy] = useState("employee");
  const [from, to] = chosenDays();
  const locationId = reportLocation.value;
  const query = { from, to, groupBy, locationId };
  const [report, error] = useReport(() => fetchReport<Report>("employees", query), [from, to, groupBy, locationId]);
  const rows = (report?.rows ?? []).map((row) => ({
    ...row,
    who: row.employeeId === "" ? t("reports.noEmployee") : row.employeeName,
  }));
  const first: Column[] = [{ key: "who", label: "reports.employee", kind: "text" }];
  if (groupBy === "shift") first.push({ key: "shiftOpenedAt", label: "reports.cash.openedAt", kind: "moment" });
  return (
    <>
      <div class="toolbar">
        <RangeFilter id="staff" />
        <LocationFilter id="staff" />
        <Choice
          id="staff-group"
          label="reports.groupBy"
          value={groupBy}
          options={["employee", "shift"]}
          prefix="reports.staff.group"
          onValue={setGroupBy}
        />
        <CsvLink path={reportPath("employees", query, "csv")} name={csvName("employees", from, to, groupBy)} />
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {report && rows.length === 0 && <p>{t("reports.noSales")}</p>}
      {report && rows.length > 0 && (
        <ReportTable
          id="staff-report"
          caption={t("reports.staffCaption", { from: report.from ?? from, to: report.to ?? to })}
          columns={[...first, ...STAFF_COLUMNS]}
          rows={rows}
          totals={report.totals}
          currency={report.currency ?? ""}
        />
      )}
    </>
  );
}
