// A bar chart drawn by uPlot (a small, maintained canvas chart library), with its text
// alternatives: a one-line summary as the chart's accessible name, and the figures as a table
// that anyone can open (and screen readers reach) under the chart.
import "uplot/dist/uPlot.min.css";

import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

import { t } from "../../i18n";
import { formatMoney } from "../../money";

export interface Bars {
  id: string;
  title: string;
  /** The label of each bar (a day, an hour) and its amount in the currency's major unit. */
  labels: string[];
  values: number[];
  currency: string;
}

const BRAND = "#1d4ed8";

function draw(element: HTMLElement, props: Bars): uPlot {
  const { labels, values, currency } = props;
  const xs = labels.map((_, index) => index);
  const options: uPlot.Options = {
    width: Math.max(element.clientWidth, 280),
    height: 220,
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [
      {
        values: (_u, splits) => splits.map((x) => labels[x] ?? ""),
        space: 40,
        gap: 4,
      },
      {
        values: (_u, splits) => splits.map((y) => formatMoney(y, currency)),
        size: 90,
      },
    ],
    series: [
      {},
      {
        label: props.title,
        fill: BRAND,
        stroke: BRAND,
        width: 0,
        paths: uPlot.paths.bars?.({ size: [0.7, 48] }),
        points: { show: false },
      },
    ],
  };
  return new uPlot(options, [xs, values], element);
}

export function BarChart(props: Bars) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (host.current === null) return;
    const element = host.current;
    const chart = draw(element, props);
    // A tablet turned on its side: the chart takes the new width.
    const resized = new ResizeObserver(() => {
      const width = Math.max(element.clientWidth, 280);
      if (width !== chart.width) chart.setSize({ width, height: 220 });
    });
    resized.observe(element);
    return () => {
      resized.disconnect();
      chart.destroy();
    };
  }, [props.labels.join("|"), props.values.join("|"), props.currency]);
  const total = props.values.reduce((sum, v) => sum + v, 0);
  const best = props.values.reduce((top, v, i) => (v > props.values[top] ? i : top), 0);
  const summary = t("dashboard.chartSummary", {
    title: props.title,
    total: formatMoney(total, props.currency),
    best: props.labels[best] ?? "",
    bestAmount: formatMoney(props.values[best] ?? 0, props.currency),
  });
  return (
    <figure class="chart" data-testid={props.id}>
      <figcaption>{props.title}</figcaption>
      <div ref={host} class="chart-canvas" role="img" aria-label={summary} />
      <details>
        <summary>{t("dashboard.showTable")}</summary>
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{t("dashboard.when")}</th>
              <th scope="col" class="number">
                {t("reports.netSales")}
              </th>
            </tr>
          </thead>
          <tbody>
            {props.labels.map((label, index) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td class="number">{formatMoney(props.values[index], props.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
