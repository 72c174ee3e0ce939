// Transfers between locations: create one (an item and its quantity), then ship it, receive
// what is outstanding, or cancel it; its state is the server's.
import { useEffect, useState } from "preact/hooks";

import { type StringKey, t } from "../../i18n";
import { explain } from "../../ui/explain";
import { may } from "../may";
import { Field } from "../../ui/Field";
import { createTransfer, type Location, moveTransfer, type Transfer, transfers } from "./stockApi";

const NEXT_STEPS: Record<Transfer["status"], ("ship" | "receive" | "cancel")[]> = {
  draft: ["ship", "cancel"],
  shipped: ["receive", "cancel"],
  partially_received: ["receive"],
  received: [],
  cancelled: [],
};

export function Transfers({ places }: { places: Location[] }) {
  const [rows, setRows] = useState<Transfer[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [reloads, setReloads] = useState(0);
  useEffect(() => {
    transfers().then(setRows, (e) => setError(explain(e)));
  }, [reloads]);
  const nameOf = (id: string) => places.find((p) => p.locationId === id)?.name ?? id;
  const step = async (transfer: Transfer, next: "ship" | "receive" | "cancel") => {
    setBusy(true);
    setError(null);
    try {
      await moveTransfer(transfer, next);
      setReloads((n) => n + 1);
    } catch (failure) {
      setError(explain(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {!may("inventory:write") ? null : places.length > 1 ? (
        <NewTransfer places={places} onMade={() => setReloads((n) => n + 1)} />
      ) : (
        <p>{t("stock.oneLocation")}</p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {rows && rows.length === 0 && <p>{t("stock.noTransfers")}</p>}
      {rows && rows.length > 0 && (
        <ul class="rows">
          {rows.map((tr) => (
            <li key={tr.transferId} data-testid="transfer">
              <span>
                {t("stock.route", {
                  from: nameOf(tr.sourceLocationId),
                  to: nameOf(tr.destinationLocationId),
                })}
              </span>
              <span>{tr.lines.map((l) => `${l.sku} × ${l.quantity}`).join(", ")}</span>
              <span class="badge" data-testid="transfer-status">
                {t(`stock.transferStatus.${tr.status}` as StringKey)}
              </span>
              <span class="actions">
                {(may("inventory:write") ? NEXT_STEPS[tr.status] : []).map((next) => (
                  <button
                    key={next}
                    class={next === "cancel" ? "secondary" : undefined}
                    type="button"
                    disabled={busy}
                    onClick={() => void step(tr, next)}
                  >
                    {t(`stock.transfer.${next}` as StringKey)}
                  </button>
                ))}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function NewTransfer({ places, onMade }: { places: Location[]; onMade: () => void }) {
  const [from, setFrom] = useState(places[0].locationId);
  const [to, setTo] = useState(places[1].locationId);
  const [sku, setSku] = useState("");
  const [quantity, setQuantity] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const amount = Number(quantity);
    if (sku.trim() === "" || !(amount > 0)) {
      setError(t("stock.badQuantity"));
      return;
    }
    setError(null);
    try {
      await createTransfer(from, to, sku.trim(), amount);
      setSku("");
      setQuantity("");
      onMade();
    } catch (failure) {
      setError(explain(failure));
    }
  };
  const picker = (id: string, label: string, value: string, set: (v: string) => void) => (
    <div>
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => set(e.currentTarget.value)}>
        {places.map((p) => (
          <option key={p.locationId} value={p.locationId}>
            {p.name}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <form class="card" onSubmit={submit} aria-labelledby="new-transfer">
      <h2 id="new-transfer">{t("stock.newTransfer")}</h2>
      <div class="toolbar">
        {picker("transfer-from", t("stock.from"), from, setFrom)}
        {picker("transfer-to", t("stock.to"), to, setTo)}
      </div>
      <div class="toolbar">
        <div>
          <Field id="transfer-sku" label={t("stock.sku")} value={sku} onValue={setSku} />
        </div>
        <div>
          <Field
            id="transfer-quantity"
            label={t("stock.quantity")}
            inputMode="decimal"
            value={quantity}
            onValue={setQuantity}
          />
        </div>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit">{t("stock.createTransfer")}</button>
    </form>
  );
}
