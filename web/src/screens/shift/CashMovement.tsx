import { useState } from "preact/hooks";

import { type CashMovementKind, moveCash, openShiftOf } from "../../closing";
import { t } from "../../i18n";
import { formatMoney } from "../../money";
import { explain } from "../../ui/explain";
import { Field } from "../../ui/Field";
import { parseAmount } from "./amount";

/** Cash put into the drawer (paid in) or taken out of it (paid out), with the reason. */
export function CashMovement({
  registerId,
  currency,
  onDone,
}: {
  registerId: string;
  currency: string;
  onDone: () => void;
}) {
  const [kind, setKind] = useState<CashMovementKind>("paid_out");
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [working, setWorking] = useState(false);
  const [recorded, setRecorded] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    const value = parseAmount(amount);
    if (value === null || value === 0) {
      setError(t("cash.badAmount"));
      return;
    }
    if (!reason.trim()) {
      setError(t("cash.needReason"));
      return;
    }
    setWorking(true);
    setError(null);
    try {
      const shift = await openShiftOf(registerId);
      await moveCash(registerId, shift.shiftId, kind, value, reason.trim());
      const key = kind === "paid_in" ? "cash.recordedIn" : "cash.recordedOut";
      setRecorded(t(key, { amount: formatMoney(value, currency), reason: reason.trim() }));
      setAmount("");
      setReason("");
    } catch (failure) {
      setError(explain(failure));
    } finally {
      setWorking(false);
    }
  }

  return (
    <form class="panel" onSubmit={submit} aria-labelledby="cash-title">
      <h1 id="cash-title">{t("cash.title")}</h1>
      <div class="choices" role="group" aria-label={t("cash.kind")}>
        {(["paid_in", "paid_out"] as const).map((choice) => (
          <button
            key={choice}
            type="button"
            class={kind === choice ? "choice chosen" : "choice"}
            aria-pressed={kind === choice}
            onClick={() => setKind(choice)}
          >
            {t(choice === "paid_in" ? "cash.in" : "cash.out")}
          </button>
        ))}
      </div>
      <Field id="cash-amount" label={t("cash.amount")} inputMode="decimal" required value={amount} onValue={setAmount} />
      <Field id="cash-reason" label={t("cash.reason")} required value={reason} onValue={setReason} />
      {recorded && (
        <p class="notice" role="status">
          {recorded}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button class="primary" type="submit" disabled={working}>
        {t(kind === "paid_in" ? "cash.recordIn" : "cash.recordOut")}
      </button>
      <button class="secondary" type="button" onClick={onDone}>
        {t("cash.back")}
      </button>
    </form>
  );
}
