import { t } from "../../i18n";
import { formatMoney } from "../../money";
import type { Cart, CartLine, Discount, Priced } from "../../sale";

function describe(discount: Discount, currency: string): string {
  const value = discount.type === "percentage" ? `${discount.value} %` : formatMoney(discount.value, currency);
  return t("cart.discountShown", { value, reason: discount.reason ?? "" });
}

/** The cart beside the grid: its lines (quantity, choices, note, discount), the customer,
 * the server's totals and the way to charge it. */
export function CartPanel({
  cart,
  priced,
  currency,
  error,
  onQuantity,
  onEditLine,
  onEditOrder,
  onCustomer,
  onCharge,
  onPark,
  onParked,
}: {
  cart: Cart;
  priced: Priced | null;
  currency: string;
  error: string | null;
  onQuantity: (line: CartLine, change: number) => void;
  onEditLine: (line: CartLine) => void;
  onEditOrder: () => void;
  onCustomer: () => void;
  onCharge: () => void;
  onPark: () => void;
  onParked: () => void;
}) {
  const money = (amount: number) => formatMoney(amount, currency);
  const empty = cart.lines.length === 0;
  return (
    <section class="cart" aria-labelledby="cart-title">
      <h2 id="cart-title">{t("sale.cart")}</h2>
      <button type="button" class="secondary cart-customer" onClick={onCustomer} data-testid="cart-customer">
        {cart.customer ? t("cart.customerIs", { name: cart.customer.name }) : t("cart.addCustomer")}
      </button>
      {empty && <p class="muted">{t("sale.empty")}</p>}
      <ul>
        {cart.lines.map((line, i) => {
          const pricedLine = priced?.lineItems[i];
          const byWeight = line.item.soldBy === "weight";
          return (
            <li key={line.key} data-testid="cart-line">
              <div class="line-main">
                <span class="line-name">{line.item.name}</span>
                {line.modifiers.length > 0 && (
                  <span class="line-detail">{line.modifiers.map((m) => m.name).join(", ")}</span>
                )}
                {line.notes && <span class="line-detail">{t("cart.noteShown", { note: line.notes })}</span>}
                {line.discount && <span class="line-detail">{describe(line.discount, currency)}</span>}
                {pricedLine && <span class="line-total">{money(pricedLine.total)}</span>}
              </div>
              <span class="line-quantity">
                {byWeight ? (
                  <span>{t("cart.weightShown", { weight: line.quantity })}</span>
                ) : (
                  <>
                    <button type="button" aria-label={t("sale.less", { name: line.item.name })} onClick={() => onQuantity(line, -1)}>
                      −
                    </button>
                    <span aria-label={t("sale.quantity")}>{line.quantity}</span>
                    <button type="button" aria-label={t("sale.more", { name: line.item.name })} onClick={() => onQuantity(line, 1)}>
                      +
                    </button>
                  </>
                )}
                <button type="button" aria-label={t("cart.editLine", { name: line.item.name })} onClick={() => onEditLine(line)}>
                  ✎
                </button>
              </span>
            </li>
          );
        })}
      </ul>
      {cart.discount && <p class="line-detail">{t("cart.orderDiscount", { discount: describe(cart.discount, currency) })}</p>}
      {cart.notes && <p class="line-detail">{t("cart.orderNoteShown", { note: cart.notes })}</p>}
      {priced && (
        <dl class="totals">
          {priced.totals.discountTotal > 0 && (
            <>
              <dt>{t("cart.discounts")}</dt>
              <dd data-testid="discount-total">{money(-priced.totals.discountTotal)}</dd>
            </>
          )}
          <dt>{t("sale.tax")}</dt>
          <dd>{money(priced.totals.taxTotal)}</dd>
          <dt>{t("sale.total")}</dt>
          <dd data-testid="grand-total">{money(priced.totals.grandTotal)}</dd>
        </dl>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="cart-actions">
        <button type="button" class="secondary" disabled={empty} onClick={onEditOrder}>
          {t("cart.orderDiscountAndNote")}
        </button>
        {/* Park what is in the cart; with nothing in it, resume what was parked. */}
        {empty ? (
          <button type="button" class="secondary" onClick={onParked}>
            {t("park.resume")}
          </button>
        ) : (
          <button type="button" class="secondary" onClick={onPark}>
            {t("park.park")}
          </button>
        )}
      </div>
      <button class="primary" type="button" disabled={!priced || empty} onClick={onCharge}>
        {priced ? t("sale.charge", { amount: money(priced.totals.balanceDue) }) : t("sale.chargeEmpty")}
      </button>
    </section>
  );
}
