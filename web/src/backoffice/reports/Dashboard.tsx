// The dashboard on Home, for whoever may read reports: today's net sales, orders and average
// ticket beside the same day last week, and charts of net sales over the last 30 days and of
// today by hour.
import { useEffect, useState } from "preact/hooks";

import { type StringKey, t } from "../../i18n";
import { formatMoney } from "../../money";
import { explain } from "../../ui/explain";
import { BarChart } from "./BarChart";
import { addDays, type Row, type SalesReport, salesReport } from "./reportsApi";

interface Figures {
  today: SalesReport;
  lastWeek: SalesReport;
  month: SalesReport;
}

async function load(): Promise<Figures> {
  // Today is each location's own business day: the server says which date that is.
  const today = await salesReport({ groupBy: "hour" });
  const weekAgo = addDays(today.to, -7);
  const [lastWeek, month] = await Promise.all([
    salesReport({ from: weekAgo, to: weekAgo }),
    salesReport({ from: addDays(today.to, -29), to: today.to, groupBy: "day" }),
  ]);
  return { today, lastWeek, month };
}

const num = (row: Row, key: string): number => Number(row[key] ?? 0);

function change(now: number, before: number): string {
  if (before === 0) return now === 0 ? t("dashboard.same") : t("dashboard.new");
  const percent = Math.round(((now - before) / Math.abs(before)) * 100);
  return t(percent >= 0 ? "dashboard.up" : "dashboard.down", { percent: Math.abs(percent) });
}

function Tile(props: { id: string; label: StringKey; now: string; before: string; delta: string }) {
  return (
    <div class="tile" data-testid={props.id}>
      <dt>{t(props.label)}</dt>
      <dd>
        <span class="tile-figure" data-testid={`${props.id}-value`}>
          {props.now}
        </span>
        <span class="muted">{t("dashboard.lastWeek", { amount: props.before, change: props.delta })}</span>
      </dd>
    </div>
  );
}

export function Dashboard() {
  const [figures, setFigures] = useState<Figures | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    load().then(setFigures, (e) => setError(explain(e)));
  }, []);
  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (figures === null) return <p class="muted">{t("dashboard.loading")}</p>;
  const { today, lastWeek, month } = figures;
  const currency = today.currency;
  const money = (value: number) => formatMoney(value, currency);
  const now = today.totals;
  const before = lastWeek.totals;
  const byDay = new Map(month.rows.map((r) => [String(r.key), num(r, "netSales")]));
  const days = Array.from({ length: 30 }, (_, i) => addDays(month.to, i - 29));
  const byHour = new Map(today.rows.map((r) => [Number(r.key), num(r, "netSales")]));
  const hours = Array.from({ length: 24 }, (_, h) => h);
  return (
    <section class="dashboard" aria-labelledby="dashboard-title">
      <h2 id="dashboard-title">{t("dashboard.title", { day: today.to })}</h2>
      <dl class="tiles">
        <Tile
          id="dashboard-net-sales"
          label="reports.netSales"
          now={money(num(now, "netSales"))}
          before={money(num(before, "netSales"))}
          delta={change(num(now, "netSales"), num(before, "netSales"))}
        />
        <Tile
          id="dashboard-orders"
          label="reports.orders"
          now={String(num(now, "orders"))}
          before={String(num(before, "orders"))}
          delta={change(num(now, "orders"), num(before, "orders"))}
        />
        <Tile
          id="dashboard-average-ticket"
          label="reports.averageTicket"
          now={money(num(now, "averageTicket"))}
          before={money(num(before, "averageTicket"))}
          delta={change(num(now, "averageTicket"), num(before, "averageTicket"))}
        />
      </dl>
      <BarChart
        id="dashboard-30-days"
        title={t("dashboard.last30")}
        labels={days.map((d) => d.slice(5))}
        values={days.map((d) => byDay.get(d) ?? 0)}
        currency={currency}
      />
      <BarChart
        id="dashboard-today"
        title={t("dashboard.todayByHour")}
        labels={hours.map((h) => String(h).padStart(2, "0"))}
        values={hours.map((h) => byHour.get(h) ?? 0)}
        currency={currency}
      />
    </section>
  );
}
