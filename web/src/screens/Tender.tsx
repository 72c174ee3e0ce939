import { useEffect, useRef, useState } from "preact/hooks";

import { giftCardBalance, storeCreditBalance } from "../customers";
import { t } from "../i18n";
import { formatMoney } from "../money";
import type { Customer, PaymentOut, Tender as TenderIn, TenderType } from "../sale";
import { explain } from "../ui/explain";
import { Field } from "../ui/Field";

export type TenderDraft = Omit<TenderIn, "key">;

const KINDS: [TenderType, Parameters<typeof t>[0]][] = [
  ["cash", "tender.cash"],
  ["credit_card", "tender.card"],
  ["gift_card", "tender.giftCard"],
  ["store_credit", "tender.storeCredit"],
];

function amountOf(text: string): number {
  return Number(text.replace(",", "."));
}

/** How the customer pays what is due, in one tender or several (part cash, part card, a gift
 * card, the attached customer's store credit): each part is taken at once and the balance the
 * server then reports is what the next part pays. */
export function Tender({
  due,
  cashDue,
  taken,
  customer,
  currency,
  working,
  scannedCode,
  onPay,
  onBack,
}: {
  due: number;
  /** What is due when paid in cash (the server's cash rounding), before any part is paid. */
  cashDue: number | null;
  /** A code the scanner read while this screen is up: a gift card's. */
  scannedCode: { code: string } | null;
  taken: PaymentOut[];
  customer: Customer | null;
  currency: string;
  working: boolean;
  onPay: (tender: TenderDraft) => void;
  onBack: (() => void) | null;
}) {
  const [kind, setKind] = useState<TenderType>("cash");
  const [handed, setHanded] = useState("");
  const [amount, setAmount] = useState(String(due));
  const [last4, setLast4] = useState("");
  const [reference, setReference] = useState("");
  const [code, setCode] = useState("");
  const [balance, setBalance] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const money = (value: number) => formatMoney(value, currency);
  const inCash = cashDue ?? due;
  const quick = [inCash, ...[5, 10, 20, 50, 100].filter((note) => note > inCash)].slice(0, 4);

  // Each part taken leaves a new balance: the next part starts from it (not on the first
  // render: what the cashier types as the screen appears stays).
  const dueBefore = useRef(due);
  useEffect(() => {
    if (dueBefore.current === due) return;
    dueBefore.current = due;
    setAmount(String(due));
    setHanded("");
    setError(null);
  }, [due]);
  useEffect(() => {
    if (scannedCode === null) return;
    setKind("gift_card");
    setCode(scannedCode.code);
  }, [scannedCode]);
  useEffect(() => {
    setBalance(null);
    if (kind === "store_credit" && customer) {
      storeCreditBalance(customer.customerId).then(setBalance, (e) => setError(explain(e)));
    }
  }, [kind, customer]);

  function payCash(tendered: number) {
    if (!(tendered > 0)) {
      setError(t("tender.handedWrong"));
      return;
    }
    // Cash handed over is the amount offered: the server applies what is due (rounded to the
    // cash increment) and answers with the change.
    onPay({ tenderType: "cash", amount: tendered, amountTendered: tendered });
  }

  function payOther(event: Event) {
    event.preventDefault();
    const value = amountOf(amount);
    if (!(value > 0)) {
      setError(t("tender.amountWrong"));
      return;
    }
    if (kind === "credit_card") {
      if (!/^\d{4}$/.test(last4)) {
        setError(t("tender.last4Wrong"));
        return;
      }
      onPay({ tenderType: "credit_card", amount: value, cardLast4: last4, processorRef: reference || undefined });
    } else if (kind === "gift_card") {
      if (!code.trim()) {
        setError(t("tender.giftCardCodeMissing"));
        return;
      }
      onPay({ tenderType: "gift_card", amount: value, giftCardCode: code.trim() });
    } else {
      onPay({ tenderType: "store_credit", amount: value });
    }
  }

  async function checkGiftCard() {
    setError(null);
    try {
      const card = await giftCardBalance(code.trim());
      if (card === null) setError(t("tender.giftCardUnknown"));
      else setBalance(card.balance);
    } catch (failure) {
      setError(explain(failure));
    }
  }

  const kinds = KINDS.filter(([type]) => type !== "store_credit" || customer !== null);
  return (
    <section class="panel tender" aria-labelledby="tender-title">
      <h1 id="tender-title">{t("tender.title", { amount: money(due) })}</h1>
      {taken.length > 0 && (
        <>
          <h2>{t("tender.taken")}</h2>
          <ul class="taken" data-testid="tenders-taken">
            {taken.map((payment) => (
              <li key={payment.paymentId}>
                <span>{t(`tender.kind.${payment.tenderType}` as Parameters<typeof t>[0])}</span>
                <span>{money(payment.amount)}</span>
              </li>
            ))}
          </ul>
          <p class="remaining" data-testid="balance-due" role="status">
            {t("tender.remaining", { amount: money(due) })}
          </p>
        </>
      )}
      <div class="choices" role="group" aria-label={t("tender.how")}>
        {kinds.map(([type, label]) => (
          <button
            key={type}
            type="button"
            class={kind === type ? "choice chosen" : "choice"}
            aria-pressed={kind === type}
            onClick={() => {
              setKind(type);
              setError(null);
            }}
          >
            {t(label)}
          </button>
        ))}
      </div>
      {kind === "cash" ? (
        <>
          {inCash !== due && (
            <p class="remaining" data-testid="cash-due">
              {t("tender.cashDue", { amount: money(inCash) })}
            </p>
          )}
          <div class="choices">
            {quick.map((value) => (
              <button key={value} type="button" class="choice" disabled={working} onClick={() => payCash(value)}>
                {money(value)}
              </button>
            ))}
          </div>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              payCash(amountOf(handed));
            }}
          >
            <Field id="handed" label={t("tender.handed")} inputMode="decimal" value={handed} onValue={setHanded} />
            <p class="muted">{t("tender.partCash")}</p>
            <button class="primary" type="submit" disabled={working}>
              {t("tender.takeCash")}
            </button>
          </form>
        </>
      ) : (
        <form onSubmit={payOther}>
          {kind === "gift_card" && (
            <>
              <Field id="gift-card-code" label={t("tender.giftCardCode")} value={code} onValue={setCode} />
              <button type="button" class="secondary" disabled={!code.trim()} onClick={() => void checkGiftCard()}>
                {t("tender.checkBalance")}
              </button>
            </>
          )}
          {balance !== null && (
            <p data-testid="tender-balance">{t("tender.balance", { amount: money(balance) })}</p>
          )}
          <Field id="tender-amount" label={t("tender.amount")} inputMode="decimal" value={amount} onValue={setAmount} />
          {kind === "credit_card" && (
            <>
              <Field id="last4" label={t("tender.last4")} inputMode="numeric" required value={last4} onValue={setLast4} />
              <Field id="reference" label={t("tender.reference")} value={reference} onValue={setReference} />
            </>
          )}
          <button class="primary" type="submit" disabled={working}>
            {kind === "credit_card" ? t("tender.recordCard") : t("tender.takePart")}
          </button>
        </form>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {onBack && (
        <button class="secondary" type="button" onClick={onBack} disabled={working}>
          {t("tender.back")}
        </button>
      )}
    </section>
  );
}
