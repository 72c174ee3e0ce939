import { useState } from "preact/hooks";

import { t } from "../../i18n";
import { formatMoney } from "../../money";
import { type Order, refund } from "../../orders";
import { explain } from "../../ui/explain";
import { Field } from "../../ui/Field";

/** Choose the lines and quantities coming back and why; the server works out the amount (pro
 * rata) and pays it back to the original tenders. A refused refund says why. */
export function RefundForm({
  order,
  registerId,
  currency,
  onDone,
  onCancel,
}: {
  order: Order;
  registerId: string;
  currency: string;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const lines = order.lineItems.filter((line) => line.quantity > line.refundedQuantity);
  const [back, setBack] = useState(new Map<string, number>());
  const [reason, setReason] = useState("");
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function change(lineItemId: string, left: number, by: number) {
    const next = new Map(back);
    next.set(lineItemId, Math.min(left, Math.max(0, (back.get(lineItemId) ?? 0) + by)));
    setBack(next);
  }

  async function submit(event: Event) {
    event.preventDefault();
    const chosen = [...back].filter(([, quantity]) => quantity > 0);
    if (chosen.length === 0) {
      setError(t("refund.nothingChosen"));
      return;
    }
    if (!reason.trim()) {
      setError(t("refund.needReason"));
      return;
    }
    setWorking(true);
    setError(null);
    try {
      const made = await refund(
        order.orderId,
        registerId,
        chosen.map(([lineItemId, quantity]) => ({ lineItemId, quantity })),
        reason.trim(),
      );
      onDone(t("refund.done", { amount: formatMoney(made.amount, currency) }));
    } catch (failure) {
      setError(t("refund.refused", { reason: explain(failure) }));
      setWorking(false);
    }
  }

  return (
    <form class="subpanel" onSubmit={submit} aria-labelledby="refund-title">
      <h2 id="refund-title">{t("refund.title")}</h2>
      {lines.length === 0 && <p class="muted">{t("refund.nothingLeft")}</p>}
      <ul class="refund-lines">
        {lines.map((line) => {
          const left = line.quantity - line.refundedQuantity;
          const chosen = back.get(line.lineItemId) ?? 0;
          return (
            <li key={line.lineItemId} data-testid="refund-line">
              <span class="line-name">{line.name}</span>
              <span class="line-quantity">
                <button
                  type="button"
                  aria-label={t("refund.less", { name: line.name })}
                  onClick={() => change(line.lineItemId, left, -1)}
                >
                  −
                </button>
                <span>{t("refund.ofLeft", { chosen, left })}</span>
                <button
                  type="button"
                  aria-label={t("refund.more", { name: line.name })}
                  onClick={() => change(line.lineItemId, left, 1)}
                >
                  +
                </button>
              </span>
            </li>
          );
        })}
      </ul>
      <Field id="refund-reason" label={t("refund.reason")} required value={reason} onValue={setReason} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" disabled={working}>
          {t("refund.submit")}
        </button>
        <button type="button" class="secondary" onClick={onCancel} disabled={working}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
