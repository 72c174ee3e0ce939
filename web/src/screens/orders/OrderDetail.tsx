import { useState } from "preact/hooks";

import { t } from "../../i18n";
import { formatMoney } from "../../money";
import { type Order, order as reload } from "../../orders";
import type { SignedIn } from "../../session";
import { ReceiptActions } from "../ReceiptActions";
import { statusText } from "./OrderLookup";
import { ExchangeForm } from "./ExchangeForm";
import { RefundForm } from "./RefundForm";
import { VoidForm } from "./VoidForm";

type Action = "refund" | "exchange" | "void" | null;

/** One order: its lines and payments, its receipt again, and refund or void for those who
 * hold the permission (the server checks it too). */
export function OrderDetail({
  user,
  registerId,
  currency,
  order: initial,
  onBack,
}: {
  user: SignedIn;
  registerId: string;
  currency: string;
  order: Order;
  onBack: () => void;
}) {
  const [order, setOrder] = useState(initial);
  const [action, setAction] = useState<Action>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const money = (amount: number) => formatMoney(amount, currency);
  const may = (permission: string) => user.permissions.includes(permission);
  const refundable = order.status === "completed" || order.status === "partially_refunded";
  const voidable = order.status === "completed" || order.status === "open";

  async function finished(message: string) {
    setAction(null);
    setNotice(message);
    setOrder(await reload(order.orderId));
  }

  return (
    <section class="panel wide" aria-labelledby="order-title">
      <h1 id="order-title">{t("orders.order", { number: order.receiptNumber ?? order.orderId })}</h1>
      <p data-testid="order-status">{statusText(order.status)}</p>
      <table class="report-table">
        <thead>
          <tr>
            <th scope="col">{t("orders.item")}</th>
            <th scope="col">{t("orders.quantity")}</th>
            <th scope="col">{t("orders.refunded")}</th>
            <th scope="col">{t("orders.amount")}</th>
          </tr>
        </thead>
        <tbody>
          {order.lineItems.map((line) => (
            <tr key={line.lineItemId}>
              <th scope="row">{line.name}</th>
              <td>{line.quantity}</td>
              <td>{line.refundedQuantity}</td>
              <td>{money(line.total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>{t("orders.total", { amount: money(order.totals.grandTotal) })}</p>
      {order.refunds.map((r) => (
        <p key={r.refundId} data-testid="order-refund">
          {t("orders.refundLine", { amount: money(r.amount), reason: r.reason })}
        </p>
      ))}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {action === "refund" && (
        <RefundForm
          order={order}
          registerId={registerId}
          currency={currency}
          onDone={(message) => void finished(message)}
          onCancel={() => setAction(null)}
        />
      )}
      {action === "exchange" && (
        <ExchangeForm
          order={order}
          registerId={registerId}
          currency={currency}
          onDone={(message) => void finished(message)}
          onCancel={() => setAction(null)}
        />
      )}
      {action === "void" && (
        <VoidForm order={order} onDone={(message) => void finished(message)} onCancel={() => setAction(null)} />
      )}
      {action === null && (
        <div class="actions">
          {may("orders:refund") && refundable && (
            <button type="button" onClick={() => setAction("refund")}>
              {t("orders.refund")}
            </button>
          )}
          {may("orders:refund") && may("orders:write") && refundable && (
            <button type="button" class="secondary" onClick={() => setAction("exchange")}>
              {t("orders.exchange")}
            </button>
          )}
          {may("orders:void") && voidable && (
            <button type="button" class="danger" onClick={() => setAction("void")}>
              {t("orders.void")}
            </button>
          )}
        </div>
      )}
      {order.receiptNumber && <ReceiptActions orderId={order.orderId} />}
      <button class="secondary" type="button" onClick={onBack}>
        {t("orders.backToList")}
      </button>
    </section>
  );
}
