// Reports: sales, products, staff, cash and inventory, each at its own address under #/reports/.
// A page may need a permission of its own: the accounting exports (accounting:export) are to
// be one more entry here, with their component below.
import { type StringKey, t } from "../../i18n";
import { may } from "../may";
import { href } from "../route";
import type { SectionProps } from "../sections";
import { CashReport } from "./CashReport";
import { InventoryReports } from "./InventoryReports";
import { ProductsReport, StaffReport } from "./PerformanceReports";
import { SalesReport } from "./SalesReport";

interface ReportPage {
  id: string;
  label: StringKey;
  /** Shown only to who holds it (beside reports:read, which the section needs). */
  permission?: string;
}

const PAGES: ReportPage[] = [
  { id: "sales", label: "reports.sales" },
  { id: "products", label: "reports.products" },
  { id: "staff", label: "reports.staff" },
  { id: "cash", label: "reports.cash" },
  { id: "inventory", label: "reports.inventory" },
];

export function ReportsSection({ path, currency }: SectionProps) {
  const [page = "sales", sub = "valuation"] = path;
  return (
    <section class="panel wide reports" aria-labelledby="reports-title">
      <h1 id="reports-title">{t("office.reports")}</h1>
      <nav class="tabs" aria-label={t("reports.pages")}>
        {PAGES.filter((p) => p.permission === undefined || may(p.permission)).map((p) => (
          <a key={p.id} href={href(["reports", p.id])} aria-current={p.id === page ? "page" : undefined}>
            {t(p.label)}
          </a>
        ))}
      </nav>
      {page === "sales" && <SalesReport />}
      {page === "products" && <ProductsReport />}
      {page === "staff" && <StaffReport />}
      {page === "cash" && <CashReport />}
      {page === "inventory" && <InventoryReports page={sub} currency={currency} />}
    </section>
  );
}
