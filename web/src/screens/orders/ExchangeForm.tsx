import { useEffect, useState } from "preact/hooks";

import { t } from "../../i18n";
import { formatMoney } from "../../money";
import { type Order, exchange, payBalance } from "../../orders";
import { type Item, sellableItems } from "../../till";
import { explain } from "../../ui/explain";
import { Field } from "../../ui/Field";
import { Tender } from "../Tender";

/** An exchange: what comes back, what goes out instead, and why. The server settles it: the
 * return pays for the new goods, more is refunded to the original tenders, less is left due
 * on the new order and taken here. */
export function ExchangeForm({
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
  const [items, setItems] = useState<Item[]>([]);
  const [search, setSearch] = useState("");
  const [out, setOut] = useState(new Map<string, { item: Item; quantity: number }>());
  const [reason, setReason] = useState("");
  const [due, setDue] = useState<Order | null>(null);
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const money = (amount: number) => formatMoney(amount, currency);

  useEffect(() => {
    sellableItems(order.locationId).then(setItems, (e) => setError(explain(e)));
  }, [order.locationId]);

  function takeBack(lineItemId: string, left: number, by: number) {
    const next = new Map(back);
    next.set(lineItemId, Math.min(left, Math.max(0, (back.get(lineItemId) ?? 0) + by)));
    setBack(next);
  }

  function giveOut(item: Item, by: number) {
    const next = new Map(out);
    const quantity = (out.get(item.sku)?.quantity ?? 0) + by;
    if (quantity > 0) next.set(item.sku, { item, quantity });
    else next.delete(item.sku);
    setOut(next);
  }

  async function submit(event: Event) {
    event.preventDefault();
    const returned = [...back].filter(([, q]) => q > 0).map(([lineItemId, quantity]) => ({ lineItemId, quantity }));
    if (returned.length === 0 || out.size === 0) {
      setError(t("exchange.chooseBoth"));
      return;
    }
    if (!reason.trim()) {
      setError(t("refund.needReason"));
      return;
    }
    setWorking(true);
    setError(null);
    try {
      const newLines = [...out.values()].map(({ item, quantity }) => ({ sku: item.sku, quantity }));
      const made = await exchange(order.orderId, registerId, returned, newLines, reason.trim());
      if (made.order.status === "open") setDue(made.order);
      else onDone(t("exchange.done", { amount: money(made.refund.amount) }));
    } catch (failure) {
      setError(t("exchange.refused", { reason: explain(failure) }));
    } finally {
      setWorking(false);
    }
  }

  if (due) {
    return (
      <>
        <Tender
          due={due.totals.balanceDue}
          cashDue={null}
          taken={[]}
          customer={null}
          scannedCode={null}
          currency={currency}
          working={working}
          onPay={(tender) => {
            setWorking(true);
            payBalance(due.orderId, registerId, tender).then(
              (paid) => onDone(t("exchange.paid", { number: paid.receiptNumber ?? paid.orderId })),
              (failure) => {
                setError(explain(failure));
                setWorking(false);
              },
            );
          }}
          onBack={onCancel}
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </>
    );
  }

  const needle = search.trim().toLowerCase();
  const shown = needle ? items.filter((i) => i.name.toLowerCase().includes(needle) || i.sku.toLowerCase() === needle) : [];
  return (
    <form class="subpanel" onSubmit={submit} aria-labelledby="exchange-title">
      <h2 id="exchange-title">{t("exchange.title")}</h2>
      <h3>{t("exchange.back")}</h3>
      <ul class="refund-lines">
        {lines.map((line) => {
          const left = line.quantity - line.refundedQuantity;
          return (
            <li key={line.lineItemId}>
              <span>{line.name}</span>
              <span class="line-quantity">
                <button type="button" aria-label={t("refund.less", { name: line.name })} onClick={() => takeBack(line.lineItemId, left, -1)}>
                  −
                </button>
                <span>{t("refund.ofLeft", { chosen: back.get(line.lineItemId) ?? 0, left })}</span>
                <button type="button" aria-label={t("refund.more", { name: line.name })} onClick={() => takeBack(line.lineItemId, left, 1)}>
                  +
                </button>
              </span>
            </li>
          );
        })}
      </ul>
      <h3>{t("exchange.out")}</h3>
      <ul class="refund-lines">
        {[...out.values()].map(({ item, quantity }) => (
          <li key={item.sku}>
            <span>{`${item.name} × ${quantity}`}</span>
            <button type="button" class="secondary" aria-label={t("exchange.remove", { name: item.name })} onClick={() => giveOut(item, -1)}>
              −
            </button>
          </li>
        ))}
      </ul>
      <Field id="exchange-search" label={t("exchange.search")} type="search" value={search} onValue={setSearch} />
      <div class="grid">
        {shown.slice(0, 12).map((item) => (
          <button key={item.sku} type="button" class="item" onClick={() => giveOut(item, 1)}>
            <span class="item-name">{item.name}</span>
            <span class="item-price">{money(item.price)}</span>
          </button>
        ))}
      </div>
      <Field id="exchange-reason" label={t("exchange.reason")} required value={reason} onValue={setReason} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" disabled={working}>
          {t("exchange.submit")}
        </button>
        <button type="button" class="secondary" onClick={onCancel} disabled={working}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
