import { useState } from "preact/hooks";

import { t } from "../i18n";
import { formatMoney } from "../money";
import { type Tender as TenderIn } from "../till";
import { Field } from "../ui/Field";

/** How the customer pays the total: cash (what they hand over) or a card taken on the
 * terminal (its last 4 digits and reference recorded). */
export function Tender({
  due,
  currency,
  working,
  onPay,
  onBack,
}: {
  due: number;
  currency: string;
  working: boolean;
  onPay: (tender: TenderIn) => void;
  onBack: () => void;
}) {
  const [kind, setKind] = useState<"cash" | "credit_card">("cash");
  const [handed, setHanded] = useState("");
  const [last4, setLast4] = useState("");
  const [reference, setReference] = useState("");
  const [error, setError] = useState<string | null>(null);
  const quick = [due, ...[5, 10, 20, 50, 100].filter((note) => note > due)].slice(0, 4);

  function payCash(amountTendered: number) {
    if (!(amountTendered >= due)) {
      setError(t("tender.notEnough"));
      return;
    }
    onPay({ tenderType: "cash", amount: due, amountTendered });
  }

  function payCard(event: Event) {
    event.preventDefault();
    if (!/^\d{4}$/.test(last4)) {
      setError(t("tender.last4Wrong"));
      return;
    }
    onPay({
      tenderType: "credit_card",
      amount: due,
      cardLast4: last4,
      processorRef: reference || undefined,
    });
  }

  return (
    <section class="panel" aria-labelledby="tender-title">
      <h1 id="tender-title">{t("tender.title", { amount: formatMoney(due, currency) })}</h1>
      <div class="choices" role="group" aria-label={t("tender.how")}>
        <button
          type="button"
          class={kind === "cash" ? "choice chosen" : "choice"}
          aria-pressed={kind === "cash"}
          onClick={() => setKind("cash")}
        >
          {t("tender.cash")}
        </button>
        <button
          type="button"
          class={kind === "credit_card" ? "choice chosen" : "choice"}
          aria-pressed={kind === "credit_card"}
          onClick={() => setKind("credit_card")}
        >
          {t("tender.card")}
        </button>
      </div>
      {kind === "cash" ? (
        <>
          <div class="choices">
            {quick.map((amount) => (
              <button
                key={amount}
                type="button"
                class="choice"
                disabled={working}
                onClick={() => payCash(amount)}
              >
                {formatMoney(amount, currency)}
              </button>
            ))}
          </div>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              payCash(Number(handed.replace(",", ".")));
            }}
          >
            <Field id="handed" label={t("tender.handed")} inputMode="decimal" value={handed} onValue={setHanded} />
            <button class="primary" type="submit" disabled={working}>
              {t("tender.takeCash")}
            </button>
          </form>
        </>
      ) : (
        <form onSubmit={payCard}>
          <Field id="last4" label={t("tender.last4")} inputMode="numeric" required value={last4} onValue={setLast4} />
          <Field id="reference" label={t("tender.reference")} value={reference} onValue={setReference} />
          <button class="primary" type="submit" disabled={working}>
            {t("tender.recordCard")}
          </button>
        </form>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button class="secondary" type="button" onClick={onBack} disabled={working}>
        {t("tender.back")}
      </button>
    </section>
  );
}
