import { useEffect, useRef, useState } from "preact/hooks";

import { t } from "../i18n";
import { formatMoney } from "../money";
import {
  type CartLine,
  type Item,
  type Paid,
  type Priced,
  type Tender as TenderIn,
  price,
  ringUp,
  scanned,
  sellableItems,
} from "../till";
import { listenForScans } from "../scanner";
import { explain } from "../ui/explain";
import { ReceiptActions } from "./ReceiptActions";
import { Tender } from "./Tender";

/** Selling: tap items (or search them) into the cart, the server prices it, charge it. */
export function Sale({
  locationId,
  registerId,
  currency,
}: {
  locationId: string;
  registerId: string;
  currency: string;
}) {
  const [items, setItems] = useState<Item[] | null>(null);
  const [search, setSearch] = useState("");
  const [cart, setCartLines] = useState<CartLine[]>([]);
  // This cart's order id on the server side (its clientOrderId): a new one whenever the cart
  // changes, the same one for every attempt to pay it.
  const [saleId, setSaleId] = useState(() => crypto.randomUUID());
  const setCart = (change: CartLine[] | ((lines: CartLine[]) => CartLine[])) => {
    setCartLines(change);
    setSaleId(crypto.randomUUID());
  };
  const [priced, setPriced] = useState<Priced | null>(null);
  const [charging, setCharging] = useState(false);
  const [working, setWorking] = useState(false);
  const [done, setDone] = useState<Paid | null>(null);
  const [error, setError] = useState<string | null>(null);
  const money = (amount: number) => formatMoney(amount, currency);

  useEffect(() => {
    sellableItems(locationId).then(setItems, (e) => setError(explain(e)));
  }, [locationId]);

  // Scans add to the cart only while the cart is on screen (not while a payment is taken).
  const accepting = useRef(true);
  accepting.current = !charging && done === null;
  useEffect(
    () =>
      listenForScans((code) => {
        if (!accepting.current) return;
        scanned(locationId, code).then(
          (item) => (item ? add(item) : setError(t("sale.unknownCode", { code }))),
          (e) => setError(explain(e)),
        );
      }),
    [locationId],
  );

  useEffect(() => {
    if (cart.length === 0) {
      setPriced(null);
      return;
    }
    let current = true;
    price(locationId, registerId, cart).then(
      (p) => current && setPriced(p),
      (e) => current && setError(explain(e)),
    );
    return () => {
      current = false;
    };
  }, [cart]);

  function add(item: Item, change = 1) {
    setError(null);
    setCart((lines) => {
      const found = lines.find((line) => line.item.sku === item.sku);
      if (found === undefined) return change > 0 ? [...lines, { item, quantity: change }] : lines;
      const quantity = found.quantity + change;
      return quantity > 0
        ? lines.map((line) => (line === found ? { ...line, quantity } : line))
        : lines.filter((line) => line !== found);
    });
  }

  async function pay(tender: TenderIn) {
    setWorking(true);
    setError(null);
    try {
      setDone(await ringUp(locationId, registerId, cart, tender, saleId));
      setCharging(false);
    } catch (failure) {
      setError(explain(failure));
    } finally {
      setWorking(false);
    }
  }

  if (done) {
    return (
      <section class="panel" aria-labelledby="done-title">
        <h1 id="done-title">{t("sale.done")}</h1>
        <p data-testid="receipt-number">{t("sale.receipt", { number: done.order.receiptNumber ?? "" })}</p>
        {done.payment.changeDue > 0 && (
          <p class="change" data-testid="change-due">
            {t("sale.change", { amount: money(done.payment.changeDue) })}
          </p>
        )}
        <ReceiptActions orderId={done.order.orderId} />
        <button
          class="primary"
          type="button"
          onClick={() => {
            setDone(null);
            setCart([]);
          }}
        >
          {t("sale.next")}
        </button>
      </section>
    );
  }

  if (charging && priced) {
    return (
      <>
        <Tender
          due={priced.totals.balanceDue}
          currency={currency}
          working={working}
          onPay={(tender) => void pay(tender)}
          onBack={() => setCharging(false)}
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
  const shown = (items ?? []).filter(
    (item) => !needle || item.name.toLowerCase().includes(needle) || item.sku.toLowerCase() === needle,
  );
  return (
    <div class="sale">
      <section class="catalog" aria-label={t("sale.items")}>
        <label for="search">{t("sale.search")}</label>
        <input id="search" type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        <div class="grid">
          {shown.slice(0, 60).map((item) => (
            <button key={item.sku} type="button" class="item" onClick={() => add(item)}>
              <span class="item-name">{item.name}</span>
              <span class="item-price">{money(item.price)}</span>
            </button>
          ))}
        </div>
        {items !== null && shown.length === 0 && <p class="muted">{t("sale.nothingFound")}</p>}
      </section>
      <section class="cart" aria-labelledby="cart-title">
        <h2 id="cart-title">{t("sale.cart")}</h2>
        {cart.length === 0 && <p class="muted">{t("sale.empty")}</p>}
        <ul>
          {cart.map((line) => (
            <li key={line.item.sku} data-testid="cart-line">
              <span class="line-name">{line.item.name}</span>
              <span class="line-quantity">
                <button type="button" aria-label={t("sale.less", { name: line.item.name })} onClick={() => add(line.item, -1)}>
                  −
                </button>
                <span aria-label={t("sale.quantity")}>{line.quantity}</span>
                <button type="button" aria-label={t("sale.more", { name: line.item.name })} onClick={() => add(line.item)}>
                  +
                </button>
              </span>
            </li>
          ))}
        </ul>
        {priced && (
          <dl class="totals">
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
        <button class="primary" type="button" disabled={!priced || cart.length === 0} onClick={() => setCharging(true)}>
          {priced ? t("sale.charge", { amount: money(priced.totals.balanceDue) }) : t("sale.chargeEmpty")}
        </button>
      </section>
    </div>
  );
}
