import { useState } from "preact/hooks";

import { type ShiftReport, printShiftReport } from "../../closing";
import { t } from "../../i18n";
import { formatMoney } from "../../money";
import { explain } from "../../ui/explain";

const TENDERS: Record<string, "z.cash" | "z.card" | "z.giftCard" | "z.storeCredit" | "z.other"> = {
  cash: "z.cash",
  credit_card: "z.card",
  gift_card: "z.giftCard",
  store_credit: "z.storeCredit",
  other: "z.other",
};

/** The closed shift's Z report as the server froze it, and printing it. */
export function ZReport({
  registerId,
  report,
  onDone,
}: {
  registerId: string;
  report: ShiftReport;
  onDone: () => void;
}) {
  const [printing, setPrinting] = useState(false);
  const [printed, setPrinted] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const money = (amount: number) => formatMoney(amount, report.currency);
  // What leaves the drawer shows with a minus, but nothing is $0.00, never -$0.00.
  const minus = (amount: number) => money(amount === 0 ? 0 : -amount);
  const overShort = report.overShort ?? 0;
  const verdict = overShort > 0 ? "z.over" : overShort < 0 ? "z.short" : "z.even";

  async function print() {
    setPrinting(true);
    setError(null);
    try {
      await printShiftReport(registerId, report.shiftId);
      setPrinted(true);
    } catch (failure) {
      setError(explain(failure));
    } finally {
      setPrinting(false);
    }
  }

  return (
    <section class="panel wide" aria-labelledby="z-title">
      <h1 id="z-title">{t("z.title")}</h1>
      <h2>{t("z.drawer")}</h2>
      <dl class="figures">
        <dt>{t("z.float")}</dt>
        <dd>{money(report.openingFloat)}</dd>
        <dt>{t("z.cashSales")}</dt>
        <dd>{money(report.cashSales)}</dd>
        <dt>{t("z.cashRefunds")}</dt>
        <dd>{minus(report.cashRefunds)}</dd>
        <dt>{t("z.paidIn", { count: report.paidInCount })}</dt>
        <dd>{money(report.paidIn)}</dd>
        <dt>{t("z.paidOut", { count: report.paidOutCount })}</dt>
        <dd>{minus(report.paidOut)}</dd>
        <dt>{t("z.expected")}</dt>
        <dd data-testid="z-expected">{money(report.expectedCash)}</dd>
        <dt>{t("z.counted")}</dt>
        <dd data-testid="z-counted">{money(report.countedCash ?? 0)}</dd>
        <dt>{t(verdict)}</dt>
        <dd data-testid="z-over-short">{money(overShort)}</dd>
      </dl>
      <h2>{t("z.tenders")}</h2>
      <table class="report-table">
        <thead>
          <tr>
            <th scope="col">{t("z.tender")}</th>
            <th scope="col">{t("z.sales")}</th>
            <th scope="col">{t("z.refunds")}</th>
            <th scope="col">{t("z.net")}</th>
          </tr>
        </thead>
        <tbody>
          {report.tenders.map((tender) => (
            <tr key={tender.tenderType}>
              <th scope="row">{TENDERS[tender.tenderType] ? t(TENDERS[tender.tenderType]) : tender.tenderType}</th>
              <td>{`${money(tender.payments)} (${tender.paymentCount})`}</td>
              <td>{`${minus(tender.refunds)} (${tender.refundCount})`}</td>
              <td>{money(tender.net)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>{t("z.counts", { orders: report.orderCount, refunds: report.refundCount })}</p>
      {printed && (
        <p class="notice" role="status">
          {t("z.printed")}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="button" class="secondary" disabled={printing} onClick={() => void print()}>
          {t("z.print")}
        </button>
        <button type="button" onClick={onDone}>
          {t("z.done")}
        </button>
      </div>
    </section>
  );
}
