import { useEffect, useRef, useState } from "preact/hooks";

import { ApiFailure, Unreachable } from "../api";
import { t } from "../i18n";
import { formatMoney } from "../money";
import { bringUpToDate, type ParkedOrder, park, type Resumed, resume } from "../parked";
import { pairedRegister } from "../register";
import {
  type Approval,
  type Cart,
  type CartLine,
  type ChosenModifier,
  emptyCart,
  type Paid,
  type Priced,
  price,
  ringUp,
  type Sold,
  type Tender as TenderIn,
} from "../sale";
import { listenForScans } from "../scanner";
import { currentUser } from "../session";
import { type Item, scanned, sellableItems } from "../till";
import { explain } from "../ui/explain";
import { CartPanel } from "./cart/CartPanel";
import { CustomerPicker } from "./cart/CustomerPicker";
import { DiscountAndNote } from "./cart/DiscountAndNote";
import { ItemGrid } from "./cart/ItemGrid";
import { ItemOptions } from "./cart/ItemOptions";
import { ManagerApproval } from "./cart/ManagerApproval";
import { ParkedSales } from "./cart/ParkedSales";
import { ReceiptActions } from "./ReceiptActions";
import { Tender, type TenderDraft } from "./Tender";

type Editing =
  | { kind: "line"; key: string }
  | { kind: "order" }
  | { kind: "customer" }
  | { kind: "options"; item: Item }
  | { kind: "parked" }
  | null;

/** Selling: tap, search or scan items into the cart, give discounts and notes, attach the
 * customer; the server prices it; charge it in one tender or several. */
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
  const [cart, setCartState] = useState<Cart>(() => emptyCart(locationId, registerId));
  // This cart's order id on the server side (its clientOrderId): a new one whenever the cart
  // changes, the same one for every attempt to pay it.
  const [saleId, setSaleId] = useState(() => crypto.randomUUID());
  const setCart = (next: Cart) => {
    setCartState(next);
    setSaleId(crypto.randomUUID());
  };
  const [priced, setPriced] = useState<Priced | null>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const [pending, setPending] = useState<{ cart: Cart; reasons: string[] } | null>(null);
  const [charging, setCharging] = useState(false);
  // The tenders taken so far and the order as the server last answered.
  const [taken, setTaken] = useState<TenderIn[]>([]);
  const [sold, setSold] = useState<Sold | null>(null);
  // The next tender's Idempotency-Key: kept while its answer is unknown (a retry after a lost
  // connection), renewed once the server has answered.
  const [attemptKey, setAttemptKey] = useState(() => crypto.randomUUID());
  // The parked order this cart was resumed from: paying or parking it again uses that order.
  const [resumed, setResumed] = useState<Resumed | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [tenderScan, setTenderScan] = useState<{ code: string } | null>(null);
  const [working, setWorking] = useState(false);
  const [done, setDone] = useState<Paid | null>(null);
  const [error, setError] = useState<string | null>(null);
  const money = (amount: number) => formatMoney(amount, currency);

  useEffect(() => {
    sellableItems(locationId).then(setItems, (e) => setError(explain(e)));
  }, [locationId]);

  // A scan adds to the cart while the cart is on screen; while a payment is taken it is a
  // gift card's code; under a dialog it is left alone.
  const scanGoesTo = useRef<"cart" | "tender" | null>("cart");
  scanGoesTo.current = done !== null || editing !== null || pending !== null ? null : charging ? "tender" : "cart";
  const addRef = useRef(add);
  addRef.current = add;
  useEffect(
    () =>
      listenForScans((code) => {
        if (scanGoesTo.current === "tender") setTenderScan({ code });
        if (scanGoesTo.current !== "cart") return;
        scanned(locationId, code).then(
          (item) => (item ? addRef.current(item) : setError(t("sale.unknownCode", { code }))),
          (e) => setError(explain(e)),
        );
      }),
    [locationId],
  );

  useEffect(() => {
    if (cart.lines.length === 0) {
      setPriced(null);
      return;
    }
    let current = true;
    price(cart).then(
      (p) => current && setPriced(p),
      (e) => current && setError(explain(e)),
    );
    return () => {
      current = false;
    };
  }, [cart]);

  function add(item: Item) {
    setError(null);
    setNotice(null);
    if (item.soldBy === "weight" || item.modifierGroupIds.length > 0) {
      setEditing({ kind: "options", item });
      return;
    }
    const plain = cart.lines.find(
      (line) => line.item.sku === item.sku && !line.modifiers.length && !line.discount && !line.notes,
    );
    if (plain) changeQuantity(plain, 1);
    else addLine(item, 1, []);
  }

  function addLine(item: Item, quantity: number, modifiers: ChosenModifier[]) {
    const line: CartLine = { key: crypto.randomUUID(), item, quantity, modifiers, discount: null, notes: "" };
    setCart({ ...cart, lines: [...cart.lines, line] });
  }

  function changeQuantity(line: CartLine, change: number) {
    const quantity = line.quantity + change;
    const lines =
      quantity > 0
        ? cart.lines.map((l) => (l.key === line.key ? { ...l, quantity } : l))
        : cart.lines.filter((l) => l.key !== line.key);
    setCart({ ...cart, lines });
  }

  /** A discount given or changed: any earlier approval is dropped, and when the server says
   * this one needs a manager, the manager's PIN is asked for before it is kept. */
  async function changeDiscounts(next: Cart) {
    setEditing(null);
    setError(null);
    const discounts = (c: Cart) => JSON.stringify([c.discount, c.lines.map((l) => l.discount)]);
    if (discounts(next) === discounts(cart)) {
      setCart(next);
      return;
    }
    const unapproved = { ...next, approval: null };
    try {
      const answer = await price(unapproved);
      if (answer.approvalNeeded.length > 0) setPending({ cart: unapproved, reasons: answer.approvalNeeded });
      else setCart(unapproved);
    } catch (failure) {
      setError(explain(failure));
    }
  }

  async function approve(approval: Approval): Promise<string | null> {
    if (pending === null) return null;
    const approved = { ...pending.cart, approval };
    try {
      await price(approved);
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.error.code === "DISCOUNT_APPROVAL_REQUIRED") {
        return t("approval.refused");
      }
      return explain(failure);
    }
    setPending(null);
    setCart(approved);
    return null;
  }

  async function pay(draft: TenderDraft) {
    setWorking(true);
    setError(null);
    const tender = { ...draft, key: attemptKey };
    try {
      if (resumed) await bringUpToDate(resumed, cart);
      const paid = await ringUp(cart, [...taken, tender], resumed?.clientOrderId ?? saleId);
      setTaken([...taken, tender]);
      setSold(paid.order);
      setAttemptKey(crypto.randomUUID());
      if (paid.order.status !== "open") {
        setDone(paid);
        setCharging(false);
      }
    } catch (failure) {
      // No answer: the same tender retried keeps its key. An answer: the next one is new.
      if (!(failure instanceof Unreachable)) setAttemptKey(crypto.randomUUID());
      setError(explain(failure));
      // The order may exist now with nothing paid: a cart changed after this changes that
      // order, as a resumed one does, rather than leaving it open for nobody.
      if (failure instanceof ApiFailure && !resumed && taken.length === 0) {
        park(cart, saleId).then(setResumed, () => undefined);
      }
    } finally {
      setWorking(false);
    }
  }

  function nextSale() {
    setDone(null);
    setTaken([]);
    setSold(null);
    setResumed(null);
    setCart(emptyCart(locationId, registerId));
  }

  async function parkSale() {
    setError(null);
    setWorking(true);
    try {
      if (resumed) await bringUpToDate(resumed, cart);
      else await park(cart, saleId);
      nextSale();
      setNotice(t("park.parked"));
    } catch (failure) {
      setError(explain(failure));
    } finally {
      setWorking(false);
    }
  }

  async function resumeSale(order: ParkedOrder) {
    setEditing(null);
    setError(null);
    try {
      const back = await resume(order, registerId, items ?? []);
      setCart(back.cart);
      setResumed(back.resumed);
      setNotice(null);
    } catch (failure) {
      setError(explain(failure));
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
        {/* A sale waiting on the device has no receipt on the server yet. */}
        {done.order.status !== "waiting" && <ReceiptActions orderId={done.order.orderId} />}
        <button class="primary" type="button" onClick={nextSale}>
          {t("sale.next")}
        </button>
      </section>
    );
  }

  if (charging && priced) {
    const payments = sold?.payments ?? [];
    return (
      <>
        <Tender
          due={sold ? sold.totals.balanceDue : priced.totals.balanceDue}
          cashDue={sold ? null : priced.cashDue}
          taken={payments}
          customer={cart.customer}
          currency={currency}
          working={working}
          scannedCode={tenderScan}
          onPay={(draft) => void pay(draft)}
          // Once a part is paid the order is the server's: the cart cannot change under it.
          onBack={payments.length === 0 ? () => setCharging(false) : null}
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </>
    );
  }

  const editedLine = editing?.kind === "line" ? cart.lines.find((l) => l.key === editing.key) : undefined;
  const me = currentUser.value?.principalId;
  const approvers = (pairedRegister.value?.employees ?? []).filter((e) => e.employeeId !== me);
  return (
    <div class="sale">
      <ItemGrid items={items} currency={currency} onAdd={add} />
      <CartPanel
        cart={cart}
        priced={priced}
        currency={currency}
        error={error}
        onQuantity={changeQuantity}
        onEditLine={(line) => setEditing({ kind: "line", key: line.key })}
        onEditOrder={() => setEditing({ kind: "order" })}
        onCustomer={() => setEditing({ kind: "customer" })}
        onCharge={() => setCharging(true)}
        onPark={() => void parkSale()}
        onParked={() => setEditing({ kind: "parked" })}
      />
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {editing?.kind === "parked" && (
        <ParkedSales
          locationId={locationId}
          currency={currency}
          onResume={(order) => void resumeSale(order)}
          onClose={() => setEditing(null)}
        />
      )}
      {editedLine && (
        <DiscountAndNote
          id="line-edit"
          title={editedLine.item.name}
          discount={editedLine.discount}
          notes={editedLine.notes}
          noteLabel={t("cart.lineNote")}
          onSave={(discount, notes) => {
            const lines = cart.lines.map((l) => (l.key === editedLine.key ? { ...l, discount, notes } : l));
            void changeDiscounts({ ...cart, lines });
          }}
          onRemoveLine={() => {
            setEditing(null);
            setCart({ ...cart, lines: cart.lines.filter((l) => l.key !== editedLine.key) });
          }}
          onClose={() => setEditing(null)}
        />
      )}
      {editing?.kind === "order" && (
        <DiscountAndNote
          id="order-edit"
          title={t("cart.orderDiscountAndNote")}
          discount={cart.discount}
          notes={cart.notes}
          noteLabel={t("cart.orderNote")}
          onSave={(discount, notes) => void changeDiscounts({ ...cart, discount, notes })}
          onClose={() => setEditing(null)}
        />
      )}
      {editing?.kind === "customer" && (
        <CustomerPicker
          attached={cart.customer}
          onPick={(customer) => {
            setEditing(null);
            setCart({ ...cart, customer });
          }}
          onDetach={() => {
            setEditing(null);
            setCart({ ...cart, customer: null });
          }}
          onClose={() => setEditing(null)}
        />
      )}
      {editing?.kind === "options" && (
        <ItemOptions
          item={editing.item}
          currency={currency}
          onAdd={(quantity, modifiers) => {
            setEditing(null);
            addLine(editing.item, quantity, modifiers);
          }}
          onClose={() => setEditing(null)}
        />
      )}
      {pending && (
        <ManagerApproval
          reasons={pending.reasons}
          approvers={approvers}
          onApprove={approve}
          onCancel={() => setPending(null)}
        />
      )}
    </div>
  );
}
