// Stock levels at one location: search, the low-stock filter (at or below the reorder point)
// and an adjustment of one item with its reason.
import { useEffect, useState } from "preact/hooks";

import { type StringKey, t } from "../../i18n";
import { explain } from "../../ui/explain";
import { may } from "../may";
import { Field } from "../../ui/Field";
import { ADJUSTMENT_REASONS, adjust, type Level, levels, setReorderPoint } from "./stockApi";

export function Levels({ locationId }: { locationId: string }) {
  const [text, setText] = useState("");
  const [lowOnly, setLowOnly] = useState(false);
  const [rows, setRows] = useState<Level[] | null>(null);
  const [total, setTotal] = useState(0);
  const [adjusting, setAdjusting] = useState<Level | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  useEffect(() => {
    let current = true;
    levels(locationId, text, lowOnly).then(
      (found) => {
        if (!current) return;
        setRows(found.items);
        setTotal(found.total);
      },
      (e) => current && setError(explain(e)),
    );
    return () => {
      current = false;
    };
  }, [locationId, text, lowOnly, reloads]);
  const done = () => {
    setAdjusting(null);
    setReloads((n) => n + 1);
  };
  return (
    <>
      <div class="toolbar">
        <div>
          <Field id="stock-search" label={t("stock.search")} type="search" value={text} onValue={setText} />
        </div>
        <label class="check">
          <input type="checkbox" checked={lowOnly} onChange={(e) => setLowOnly(e.currentTarget.checked)} />
          {t("stock.lowOnly")}
        </label>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {adjusting && (
        <Adjustment
          level={adjusting}
          locationId={locationId}
          onDone={done}
          onCancel={() => setAdjusting(null)}
        />
      )}
      {rows && rows.length === 0 && <p>{lowOnly ? t("stock.noneLow") : t("stock.none")}</p>}
      {rows && rows.length > 0 && (
        <table class="data" data-testid="stock-levels">
          <thead>
            <tr>
              <th scope="col">{t("stock.item")}</th>
              <th scope="col">{t("stock.sku")}</th>
              <th scope="col" class="number">{t("stock.onHand")}</th>
              <th scope="col" class="number">{t("stock.available")}</th>
              <th scope="col" class="number">{t("stock.reorderPoint")}</th>
              <th scope="col">
                <span class="visually-hidden">{t("stock.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.variantId} data-testid="stock-level">
                <th scope="row">{row.name}</th>
                <td>{row.sku}</td>
                <td class="number">{row.onHand}</td>
                <td class="number">{row.available}</td>
                <td class="number">
                  {row.reorderPoint ?? "—"}
                  {row.reorderPoint !== null && row.onHand <= row.reorderPoint && (
                    <span class="badge low">{t("stock.low")}</span>
                  )}
                </td>
                <td>
                  {may("inventory:write") && (
                    <button
                      class="secondary"
                      type="button"
                      aria-label={t("stock.adjustItem", { name: row.name })}
                      onClick={() => setAdjusting(row)}
                    >
                      {t("stock.adjust")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rows && total > rows.length && (
        <p class="muted">{t("stock.showing", { shown: rows.length, total })}</p>
      )}
    </>
  );
}

function Adjustment(props: { level: Level; locationId: string; onDone: () => void; onCancel: () => void }) {
  const { level, locationId } = props;
  const [change, setChange] = useState("");
  const [reason, setReason] = useState<string>("received");
  const [notes, setNotes] = useState("");
  const [reorder, setReorder] = useState(level.reorderPoint === null ? "" : String(level.reorderPoint));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The form opens above the list: focus its first field, which also scrolls it into view.
  useEffect(() => document.getElementById("adjust-change")?.focus(), [level.variantId]);
  const submit = async (e: Event) => {
    e.preventDefault();
    const delta = change.trim() === "" ? 0 : Number(change);
    const point = reorder.trim() === "" ? null : Number(reorder);
    if (!Number.isFinite(delta) || (point !== null && !Number.isFinite(point))) {
      setError(t("stock.badQuantity"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (delta !== 0) await adjust(locationId, level.sku, delta, reason, notes);
      if (point !== null && point !== level.reorderPoint) await setReorderPoint(locationId, level.sku, point);
      props.onDone();
    } catch (failure) {
      setError(explain(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="adjust-title">
      <h2 id="adjust-title">{t("stock.adjustTitle", { name: level.name, onHand: level.onHand })}</h2>
      <Field
        id="adjust-change"
        label={t("stock.change")}
        inputMode="decimal"
        value={change}
        onValue={setChange}
      />
      <label for="adjust-reason">{t("stock.reason")}</label>
      <select id="adjust-reason" value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
        {ADJUSTMENT_REASONS.map((r) => (
          <option key={r} value={r}>
            {t(`stock.reason.${r}` as StringKey)}
          </option>
        ))}
      </select>
      <Field id="adjust-notes" label={t("stock.notes")} value={notes} onValue={setNotes} />
      <Field
        id="adjust-reorder"
        label={t("stock.reorderPoint")}
        inputMode="decimal"
        value={reorder}
        onValue={setReorder}
      />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {t("stock.save")}
        </button>
        <button class="secondary" type="button" onClick={props.onCancel}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
