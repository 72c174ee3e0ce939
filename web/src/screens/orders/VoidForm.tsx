import { useState } from "preact/hooks";

import { t } from "../../i18n";
import { type Order, voidOrder } from "../../orders";
import { explain } from "../../ui/explain";
import { Field } from "../../ui/Field";

/** Cancel the whole order, with the reason: the server reverses its stock and payments, or
 * says why it cannot (a refunded order, a closed shift's cash). */
export function VoidForm({
  order,
  onDone,
  onCancel,
}: {
  order: Order;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const [reason, setReason] = useState("");
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    if (!reason.trim()) {
      setError(t("void.needReason"));
      return;
    }
    setWorking(true);
    setError(null);
    try {
      await voidOrder(order.orderId, reason.trim());
      onDone(t("void.done"));
    } catch (failure) {
      setError(t("void.refused", { reason: explain(failure) }));
      setWorking(false);
    }
  }

  return (
    <form class="subpanel" onSubmit={submit} aria-labelledby="void-title">
      <h2 id="void-title">{t("void.title")}</h2>
      <p>{t("void.explain")}</p>
      <Field id="void-reason" label={t("void.reason")} required value={reason} onValue={setReason} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="danger" disabled={working}>
          {t("void.submit")}
        </button>
        <button type="button" class="secondary" onClick={onCancel} disabled={working}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
