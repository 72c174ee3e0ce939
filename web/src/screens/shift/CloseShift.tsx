import { useEffect, useState } from "preact/hooks";

import { type ShiftReport, closeShift, openShiftOf, shiftReport } from "../../closing";
import { t } from "../../i18n";
import { formatMoney } from "../../money";
import { explain } from "../../ui/explain";
import { Field } from "../../ui/Field";
import { parseAmount } from "./amount";
import { countedTotal, denominationsOf } from "./denominations";

/** Count the drawer and close the shift: the server's expected cash is shown beside the
 * count; the close answers with the Z report (counted, expected, over/short). */
export function CloseShift({
  registerId,
  currency,
  onClosed,
  onBack,
}: {
  registerId: string;
  currency: string;
  onClosed: (report: ShiftReport) => void;
  onBack: () => void;
}) {
  const [shift, setShift] = useState<{ shiftId: string; version: number } | null>(null);
  const [sofar, setSofar] = useState<ShiftReport | null>(null);
  const [total, setTotal] = useState("");
  const [byDenomination, setByDenomination] = useState(false);
  const [counts, setCounts] = useState(new Map<number, number>());
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const money = (amount: number) => formatMoney(amount, currency);
  const denominations = denominationsOf(currency);

  useEffect(() => {
    openShiftOf(registerId)
      .then(async (open) => {
        setShift(open);
        setSofar(await shiftReport(registerId, open.shiftId));
      })
      .catch((e) => setError(explain(e)));
  }, [registerId]);

  const counted = byDenomination ? countedTotal(currency, counts) : parseAmount(total);

  async function submit(event: Event) {
    event.preventDefault();
    if (shift === null) return;
    if (counted === null) {
      setError(t("close.badCount"));
      return;
    }
    setWorking(true);
    setError(null);
    try {
      onClosed(await closeShift(registerId, shift, counted));
    } catch (failure) {
      setError(explain(failure));
      setWorking(false);
    }
  }

  return (
    <form class="panel wide" onSubmit={submit} aria-labelledby="close-title">
      <h1 id="close-title">{t("close.title")}</h1>
      {sofar && (
        <dl class="figures">
          <dt>{t("close.float")}</dt>
          <dd>{money(sofar.openingFloat)}</dd>
          <dt>{t("close.cashSales")}</dt>
          <dd>{money(sofar.cashSales)}</dd>
          <dt>{t("close.paidInOut")}</dt>
          <dd>{`${money(sofar.paidIn)} / ${money(sofar.paidOut)}`}</dd>
          <dt>{t("close.expected")}</dt>
          <dd data-testid="expected-cash">{money(sofar.expectedCash)}</dd>
        </dl>
      )}
      {denominations.length > 0 && (
        <button
          type="button"
          class="secondary"
          aria-pressed={byDenomination}
          onClick={() => setByDenomination(!byDenomination)}
        >
          {t(byDenomination ? "close.countTotal" : "close.countEach")}
        </button>
      )}
      {byDenomination ? (
        <div class="denominations">
          {denominations.map((value) => (
            <div key={value}>
              <label for={`count-${value}`}>{t("close.howMany", { value: money(value) })}</label>
              <input
                id={`count-${value}`}
                type="number"
                min="0"
                step="1"
                inputMode="numeric"
                value={counts.get(value) ?? ""}
                onInput={(e) => {
                  const next = new Map(counts);
                  next.set(value, Math.max(0, Math.floor(Number(e.currentTarget.value) || 0)));
                  setCounts(next);
                }}
              />
            </div>
          ))}
          <p data-testid="counted-cash">{t("close.countedSoFar", { amount: money(counted ?? 0) })}</p>
        </div>
      ) : (
        <Field id="counted" label={t("close.counted")} inputMode="decimal" required value={total} onValue={setTotal} />
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button class="primary" type="submit" disabled={working || shift === null}>
        {t("close.submit")}
      </button>
      <button class="secondary" type="button" onClick={onBack} disabled={working}>
        {t("close.back")}
      </button>
    </form>
  );
}
