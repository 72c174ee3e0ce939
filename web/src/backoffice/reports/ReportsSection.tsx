// Reports: sales, products, staff, cash and inventory, each at its own address under #/reports/. (The
// accounting exports, for whoever holds accounting:export, get a page of their own here.)
import { type StringKey, t } from "../../i18n";
import { href } from "../route";
import type { SectionProps } from "../sections";
import { CashReport } from "./CashReport";
import { InventoryReports } from "./InventoryReports";
import { ProductsReport, StaffReport } from "./PerformanceReports";
import { SalesReport } from "./SalesReport";

const PAGES = [
  { id: "sales", label: "reports.sales" },
  { id: "products", label: "reports.products" },
  { id: "staff", label: "reports.staff" },
  { id: "cash", label: "reports.cash" },
  { id: "inventory", label: "reports.inventory" },
] as const satisfies readonly { id: string; label: StringKey }[];

export function ReportsSection({ path, currency }: SectionProps) {
  const [page = "sales", sub = "valuation"] = path;
  return (
    <section class="panel wide reports" aria-labelledby="reports-title">
      <h1 id="reports-title">{t("office.reports")}</h1>
      <nav class="tabs" aria-label={t("reports.pages")}>
        {PAGES.map((p) => (
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
