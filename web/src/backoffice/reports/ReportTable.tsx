// One report as a table: its rows, then the totals row, each figure formatted by its column's
// kind (money in the report's currency, quantities and counts as numbers, dates as dates).
import { type StringKey, t } from "../../i18n";
import { formatMoney } from "../../money";
import type { Row } from "./reportsApi";

export type Kind = "text" | "money" | "number" | "date" | "moment";

export interface Column {
  key: string;
  label: StringKey;
  kind: Kind;
}

const numbers = new Intl.NumberFormat(undefined, { maximumFractionDigits: 3 });

export function show(value: unknown, kind: Kind, currency: string): string {
  if (value === null || value === undefined || value === "") return "—";
  if (kind === "money") return formatMoney(Number(value), currency);
  if (kind === "number") return numbers.format(Number(value));
  if (kind === "moment") return new Date(String(value)).toLocaleString();
  return String(value);
}

export function ReportTable(props: {
  id: string;
  caption: string;
  columns: Column[];
  rows: Row[];
  totals?: Row;
  currency: string;
}) {
  const { columns, currency } = props;
  const [first, ...figures] = columns;
  const cells = (row: Row) =>
    figures.map((c) => (
      <td key={c.key} class={c.kind === "money" || c.kind === "number" ? "number" : undefined}>
        {show(row[c.key], c.kind, currency)}
      </td>
    ));
  // A wide table scrolls inside its own region, which the keyboard can reach and scroll.
  return (
    <div class="table-scroll" role="region" aria-labelledby={`${props.id}-caption`} tabindex={0}>
      <table class="data" data-testid={props.id}>
        <caption id={`${props.id}-caption`} class="visually-hidden">
          {props.caption}
        </caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th
                key={c.key}
                scope="col"
                class={c.kind === "money" || c.kind === "number" ? "number" : undefined}
              >
                {t(c.label)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row, index) => (
            <tr key={index} data-testid="report-row">
              <th scope="row">{show(row[first.key], first.kind, currency)}</th>
              {cells(row)}
            </tr>
          ))}
        </tbody>
        {props.totals && (
          <tfoot>
            <tr class="totals-row" data-testid="report-totals">
              <th scope="row">{t("reports.total")}</th>
              {cells(props.totals)}
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}

/** The same report as CSV: a plain link the browser downloads with the session cookie. */
export function CsvLink({ path, name }: { path: string; name: string }) {
  return (
    <a class="button secondary" href={path} download={name}>
      {t("reports.downloadCsv")}
    </a>
  );
}
