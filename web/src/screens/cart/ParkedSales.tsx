import { useEffect, useState } from "preact/hooks";

import { t } from "../../i18n";
import { formatMoney } from "../../money";
import { type ParkedOrder, parkedSales } from "../../parked";
import { explain } from "../../ui/explain";
import { Dialog } from "./Dialog";

/** The sales parked at this location (on any of its registers): pick one to resume here. */
export function ParkedSales({
  locationId,
  currency,
  onResume,
  onClose,
}: {
  locationId: string;
  currency: string;
  onResume: (order: ParkedOrder) => void;
  onClose: () => void;
}) {
  const [orders, setOrders] = useState<ParkedOrder[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    parkedSales(locationId).then(setOrders, (e) => setError(explain(e)));
  }, [locationId]);
  const time = new Intl.DateTimeFormat(navigator.language, { hour: "2-digit", minute: "2-digit" });
  return (
    <Dialog id="parked" title={t("park.title")} onClose={onClose}>
      {orders !== null && orders.length === 0 && <p class="muted">{t("park.none")}</p>}
      <ul class="customer-results" aria-label={t("park.title")}>
        {(orders ?? []).map((order) => (
          <li key={order.orderId}>
            <button type="button" class="choice" onClick={() => onResume(order)}>
              <span class="item-name">
                {t("park.summary", {
                  time: time.format(new Date(order.createdAt)),
                  items: order.lineItems.map((line) => line.name).join(", "),
                })}
              </span>
              <span class="item-price">{formatMoney(order.totals.grandTotal, currency)}</span>
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="dialog-actions">
        <button class="secondary" type="button" onClick={onClose}>
          {t("common.cancel")}
        </button>
      </div>
    </Dialog>
  );
}
