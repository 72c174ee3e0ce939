import { useEffect, useLayoutEffect, useState } from "preact/hooks";

import { type StringKey, t } from "../../i18n";
import { formatMoney } from "../../money";
import { type Order, orderByReceipt, todaysOrders } from "../../orders";
import { listenForScans } from "../../scanner";
import type { SignedIn } from "../../session";
import { explain } from "../../ui/explain";
import { Field } from "../../ui/Field";
import { OrderDetail } from "./OrderDetail";

/** Find an order: its receipt number typed or scanned from the receipt's barcode, or picked
 * from today's list; then what may be done with it. */
export function OrderLookup({
  user,
  locationId,
  registerId,
  currency,
  onBack,
}: {
  user: SignedIn;
  locationId: string;
  registerId: string;
  currency: string;
  onBack: () => void;
}) {
  const [number, setNumber] = useState("");
  const [today, setToday] = useState<Order[] | null>(null);
  const [chosen, setChosen] = useState<Order | null>(null);
  const [error, setError] = useState<string | null>(null);

  function loadToday() {
    todaysOrders(locationId).then(setToday, (e) => setError(explain(e)));
  }
  useEffect(loadToday, [locationId]);

  async function find(receiptNumber: string) {
    setError(null);
    try {
      const found = await orderByReceipt(locationId, receiptNumber.trim());
      if (found === null) setError(t("orders.notFound", { number: receiptNumber.trim() }));
      else setChosen(found);
    } catch (failure) {
      setError(explain(failure));
    }
  }

  // A receipt's barcode scanned from anywhere on this screen looks its order up. A layout
  // effect: listening from the moment the list is drawn, so a scan made as it appears keeps
  // its first characters.
  const looking = chosen === null;
  useLayoutEffect(() => (looking ? listenForScans((code) => void find(code)) : undefined), [looking]);

  if (chosen) {
    return (
      <OrderDetail
        user={user}
        registerId={registerId}
        currency={currency}
        order={chosen}
        onBack={() => {
          setChosen(null);
          loadToday();
        }}
      />
    );
  }

  return (
    <section class="panel wide" aria-labelledby="orders-title">
      <h1 id="orders-title">{t("orders.title")}</h1>
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (number.trim()) void find(number);
        }}
      >
        <Field id="receipt-number" label={t("orders.receiptNumber")} value={number} onValue={setNumber} />
        <button type="submit">{t("orders.find")}</button>
      </form>
      <p class="muted">{t("orders.scanHint")}</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <h2>{t("orders.today")}</h2>
      {today !== null && today.length === 0 && <p class="muted">{t("orders.noneToday")}</p>}
      <ul class="order-list">
        {(today ?? []).map((o) => (
          <li key={o.orderId}>
            <button type="button" class="choice" onClick={() => setChosen(o)}>
              <span>{o.receiptNumber ?? t("orders.noReceipt")}</span>
              <span>{new Date(o.occurredAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}</span>
              <span>{formatMoney(o.totals.grandTotal, currency)}</span>
              <span>{statusText(o.status)}</span>
            </button>
          </li>
        ))}
      </ul>
      <button class="secondary" type="button" onClick={onBack}>
        {t("orders.back")}
      </button>
    </section>
  );
}

const STATUS: Record<string, StringKey> = {
  open: "orders.status.open",
  completed: "orders.status.completed",
  partially_refunded: "orders.status.partiallyRefunded",
  refunded: "orders.status.refunded",
  voided: "orders.status.voided",
};

/** An order's status as the cashier reads it. */
export function statusText(status: string): string {
  return STATUS[status] ? t(STATUS[status]) : status;
}
