import { useState } from "preact/hooks";

import { emailReceipt, printReceipt } from "../closing";
import { t } from "../i18n";
import { explain } from "../ui/explain";
import { Field } from "../ui/Field";

/** After a sale: print the receipt on the location's printer, or e-mail it. */
export function ReceiptActions({ orderId }: { orderId: string }) {
  const [to, setTo] = useState("");
  const [working, setWorking] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run(action: () => Promise<string>) {
    setWorking(true);
    setDone(null);
    setError(null);
    try {
      setDone(await action());
    } catch (failure) {
      setError(explain(failure));
    } finally {
      setWorking(false);
    }
  }

  return (
    <div class="receipt-actions">
      <button
        type="button"
        class="secondary"
        disabled={working}
        onClick={() => void run(async () => (await printReceipt(orderId), t("receipt.printed")))}
      >
        {t("receipt.print")}
      </button>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const address = to.trim();
          if (!address.includes("@")) {
            setError(t("receipt.badEmail"));
            return;
          }
          void run(async () => (await emailReceipt(orderId, address), t("receipt.emailed", { to: address })));
        }}
      >
        <Field id="receipt-email" label={t("receipt.email")} type="email" autocomplete="off" value={to} onValue={setTo} />
        <button type="submit" class="secondary" disabled={working}>
          {t("receipt.send")}
        </button>
      </form>
      {done && (
        <p class="notice" role="status">
          {done}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
