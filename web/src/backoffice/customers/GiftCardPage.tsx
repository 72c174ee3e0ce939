// One gift card: its balance, state and entries; reloaded by hand or deactivated, each with a
// reason, by who manages gift cards.
import { useEffect, useState } from "preact/hooks";

import { type StringKey, t } from "../../i18n";
import { formatMoney } from "../../money";
import { Field } from "../../ui/Field";
import { href } from "../route";
import { may } from "../may";
import { Alert, useAction } from "./action";
import {
  cardEntries,
  deactivateCard,
  type GiftCard,
  giftCard,
  type MoneyEntry,
  reloadCard,
} from "./customersApi";

export function GiftCardPage({ cardId, currency }: { cardId: string; currency: string }) {
  const [card, setCard] = useState<GiftCard | null>(null);
  const [entries, setEntries] = useState<MoneyEntry[]>([]);
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const { busy, error, setError, run } = useAction();
  const reload = () =>
    run(async () => {
      setCard(await giftCard(cardId));
      setEntries(await cardEntries(cardId));
    });
  useEffect(() => {
    void reload();
  }, [cardId]);
  const change = async (how: "reload" | "deactivate") => {
    const value = Number(amount);
    if (reason.trim() === "" || (how === "reload" && !(value > 0))) {
      return setError(how === "reload" ? t("giftCards.reloadWrong") : t("giftCards.reasonNeeded"));
    }
    const ok = await run(() =>
      how === "reload"
        ? reloadCard(cardId, value, reason.trim())
        : deactivateCard(card as GiftCard, reason.trim()),
    );
    if (ok) {
      setAmount("");
      setReason("");
      await reload();
    }
  };
  if (card === null) return <Alert message={error} />;
  const manage = may("gift_cards:manage") && card.status === "active";
  return (
    <div class="gift-card-page">
      <a class="back" href={href(["customers", "gift-cards"])}>
        {t("giftCards.all")}
      </a>
      <h2>{t("giftCards.endingIn", { last4: card.last4 })}</h2>
      <dl class="facts">
        <dt>{t("giftCards.balance")}</dt>
        <dd data-testid="gift-card-balance">{formatMoney(card.balance, currency)}</dd>
        <dt>{t("giftCards.state")}</dt>
        <dd>{t(`giftCards.status.${card.status}` as StringKey)}</dd>
        <dt>{t("giftCards.expires")}</dt>
        <dd>{card.expiresAt ? new Date(card.expiresAt).toLocaleDateString() : t("giftCards.never")}</dd>
      </dl>
      {manage && (
        <form
          class="card"
          onSubmit={(e) => (e.preventDefault(), void change("reload"))}
          aria-labelledby="reload-title"
        >
          <h3 id="reload-title">{t("giftCards.change")}</h3>
          <div class="toolbar">
            <div>
              <Field
                id="reload-amount"
                label={t("giftCards.reloadAmount")}
                inputMode="decimal"
                value={amount}
                onValue={setAmount}
              />
            </div>
            <div>
              <Field id="reload-reason" label={t("giftCards.reason")} value={reason} onValue={setReason} />
            </div>
          </div>
          <div class="actions">
            <button type="submit" disabled={busy}>
              {t("giftCards.reload")}
            </button>
            <button class="secondary" type="button" disabled={busy} onClick={() => void change("deactivate")}>
              {t("giftCards.deactivate")}
            </button>
          </div>
        </form>
      )}
      <Alert message={error} />
      <h3>{t("giftCards.entries")}</h3>
      {entries.length === 0 && <p>{t("giftCards.noEntries")}</p>}
      {entries.length > 0 && (
        <table class="data" data-testid="gift-card-entries">
          <thead>
            <tr>
              <th scope="col">{t("customers.when")}</th>
              <th scope="col">{t("customers.reason")}</th>
              <th scope="col" class="number">{t("customers.amount")}</th>
              <th scope="col" class="number">{t("customers.balanceAfter")}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.entryId}>
                <td>{new Date(entry.createdAt).toLocaleString()}</td>
                <td>{entry.note ?? t(`giftCards.entryReason.${entry.reason}` as StringKey)}</td>
                <td class="number">{formatMoney(entry.amount, currency)}</td>
                <td class="number">{formatMoney(entry.balanceAfter, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
