// A customer's two balances, each with its entries and a change by hand with a reason for
// whoever holds the permission: loyalty points (loyalty:adjust) and store credit
// (store_credit:adjust; never below zero, which the server enforces).
import { useEffect, useState } from "preact/hooks";

import { t } from "../../i18n";
import { formatMoney } from "../../money";
import { Field } from "../../ui/Field";
import { may } from "../may";
import { Alert, useAction } from "./action";
import {
  adjustCredit,
  adjustPoints,
  type Loyalty,
  loyalty,
  type StoreCredit,
  storeCredit,
} from "./customersApi";

interface Props {
  customerId: string;
  currency: string;
}

export function LoyaltyPanel({ customerId, currency }: Props) {
  const [account, setAccount] = useState<Loyalty | null>(null);
  const [points, setPoints] = useState("");
  const [reason, setReason] = useState("");
  const { busy, error, setError, run } = useAction();
  const reload = () => run(async () => setAccount(await loyalty(customerId)));
  useEffect(() => {
    void reload();
  }, [customerId]);
  const submit = async (e: Event) => {
    e.preventDefault();
    const change = Number(points);
    if (!Number.isInteger(change) || change === 0 || reason.trim() === "") {
      setError(t("customers.pointsWrong"));
      return;
    }
    if (await run(() => adjustPoints(customerId, change, reason.trim()))) {
      setPoints("");
      setReason("");
      await reload();
    }
  };
  return (
    <section class="card" aria-labelledby="loyalty-title">
      <h3 id="loyalty-title">{t("customers.loyalty")}</h3>
      {account && (
        <p data-testid="loyalty-balance">
          {t("customers.points", { points: account.balance, value: formatMoney(account.value, currency) })}
        </p>
      )}
      {account && account.entries.items.length > 0 && (
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{t("customers.when")}</th>
              <th scope="col">{t("customers.reason")}</th>
              <th scope="col" class="number">{t("customers.pointsChange")}</th>
              <th scope="col" class="number">{t("customers.balanceAfter")}</th>
            </tr>
          </thead>
          <tbody>
            {account.entries.items.map((entry) => (
              <tr key={entry.entryId}>
                <td>{new Date(entry.createdAt).toLocaleString()}</td>
                <td>{entry.reason || entry.type}</td>
                <td class="number">{entry.points}</td>
                <td class="number">{entry.balanceAfter}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {may("loyalty:adjust") && (
        <form class="toolbar" onSubmit={submit}>
          <div>
            <Field
              id="points-change"
              label={t("customers.pointsToAdd")}
              inputMode="numeric"
              value={points}
              onValue={setPoints}
            />
          </div>
          <div>
            <Field
              id="points-reason"
              label={t("customers.pointsReason")}
              value={reason}
              onValue={setReason}
            />
          </div>
          <button type="submit" disabled={busy}>
            {t("customers.adjustPoints")}
          </button>
        </form>
      )}
      <Alert message={error} />
    </section>
  );
}

export function StoreCreditPanel({ customerId, currency }: Props) {
  const [credit, setCredit] = useState<StoreCredit | null>(null);
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const { busy, error, setError, run } = useAction();
  const reload = () => run(async () => setCredit(await storeCredit(customerId)));
  useEffect(() => {
    void reload();
  }, [customerId]);
  const change = async (sign: 1 | -1) => {
    const value = Number(amount);
    if (!(value > 0) || reason.trim() === "") {
      setError(t("customers.creditWrong"));
      return;
    }
    if (await run(() => adjustCredit(customerId, sign * value, reason.trim()))) {
      setAmount("");
      setReason("");
      await reload();
    }
  };
  return (
    <section class="card" aria-labelledby="credit-title">
      <h3 id="credit-title">{t("customers.storeCredit")}</h3>
      {credit && (
        <p data-testid="credit-balance">
          {t("customers.creditBalance", { amount: formatMoney(credit.balance, currency) })}
        </p>
      )}
      {credit && credit.items.length > 0 && (
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{t("customers.when")}</th>
              <th scope="col">{t("customers.reason")}</th>
              <th scope="col" class="number">{t("customers.amount")}</th>
              <th scope="col" class="number">{t("customers.balanceAfter")}</th>
            </tr>
          </thead>
          <tbody>
            {credit.items.map((entry) => (
              <tr key={entry.entryId}>
                <td>{new Date(entry.createdAt).toLocaleString()}</td>
                <td>{entry.note ?? entry.reason}</td>
                <td class="number">{formatMoney(entry.amount, currency)}</td>
                <td class="number">{formatMoney(entry.balanceAfter, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {may("store_credit:adjust") && (
        <form class="toolbar" onSubmit={(e) => (e.preventDefault(), void change(1))}>
          <div>
            <Field
              id="credit-amount"
              label={t("customers.creditAmount")}
              inputMode="decimal"
              value={amount}
              onValue={setAmount}
            />
          </div>
          <div>
            <Field
              id="credit-reason"
              label={t("customers.creditReason")}
              value={reason}
              onValue={setReason}
            />
          </div>
          <button type="submit" disabled={busy}>
            {t("customers.issueCredit")}
          </button>
          <button class="secondary" type="button" disabled={busy} onClick={() => void change(-1)}>
            {t("customers.takeBackCredit")}
          </button>
        </form>
      )}
      <Alert message={error} />
    </section>
  );
}
