// One count, on a tablet: each scan from the keyboard-wedge scanner adds one of the item; a
// typed quantity sets what was counted. The differences to what the ledger expects are the
// server's; commit makes them stock, cancel drops the count.
import { useEffect, useRef, useState } from "preact/hooks";

import { type StringKey, t } from "../../i18n";
import { listenForScans } from "../../scanner";
import { scanned } from "../../till";
import { explain } from "../../ui/explain";
import { may } from "../may";
import { Field } from "../../ui/Field";
import { href } from "../route";
import { type Count, count, countLine, finishCount } from "./stockApi";

export function CountSheet({ countId }: { countId: string }) {
  const [sheet, setSheet] = useState<Count | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const [quantity, setQuantity] = useState("");
  const [busy, setBusy] = useState(false);
  const sheetRef = useRef<Count | null>(null);
  sheetRef.current = sheet;

  const reload = () => count(countId).then(setSheet, (e) => setError(explain(e)));
  useEffect(() => {
    void reload();
  }, [countId]);

  /** The SKU a scanned or typed code names: an item's barcode, or else the SKU itself. */
  const skuOf = async (locationId: string, typed: string) => (await scanned(locationId, typed))?.sku ?? typed;

  const record = async (typed: string, counted: number | null) => {
    const current = sheetRef.current;
    if (current === null || current.status !== "open") return;
    setError(null);
    try {
      const sku = await skuOf(current.locationId, typed);
      await countLine(countId, sku, counted);
      setMessage(
        counted === null
          ? t("stock.scannedOne", { code: sku })
          : t("stock.countedAs", { code: sku, quantity: counted }),
      );
      await reload();
    } catch (failure) {
      setError(explain(failure));
    }
  };

  useEffect(() => listenForScans((scannedCode) => void record(scannedCode, null)), [countId]);

  const typedIn = async (e: Event) => {
    e.preventDefault();
    const counted = quantity.trim() === "" ? null : Number(quantity);
    if (code.trim() === "" || (counted !== null && !(counted >= 0))) {
      setError(t("stock.badQuantity"));
      return;
    }
    await record(code.trim(), counted);
    setCode("");
    setQuantity("");
  };

  const finish = async (how: "commit" | "cancel") => {
    setBusy(true);
    try {
      setSheet(await finishCount(countId, how));
    } catch (failure) {
      setError(explain(failure));
    } finally {
      setBusy(false);
    }
  };

  if (sheet === null) return error ? <p class="error" role="alert">{error}</p> : null;
  const open = sheet.status === "open" && may("inventory:write");
  return (
    <div class="count-sheet">
      <h2>{t("stock.countTitle", { status: t(`stock.countStatus.${sheet.status}` as StringKey) })}</h2>
      <a class="back" href={href(["stock", "counts"])}>
        {t("stock.allCounts")}
      </a>
      {open && <p class="scan-hint">{t("stock.scanHint")}</p>}
      <p role="status" data-testid="count-message">
        {message}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {open && (
        <form class="toolbar" onSubmit={typedIn}>
          <div>
            <Field id="count-code" label={t("stock.codeOrSku")} value={code} onValue={setCode} />
          </div>
          <div>
            <Field
              id="count-quantity"
              label={t("stock.countedQuantity")}
              inputMode="decimal"
              value={quantity}
              onValue={setQuantity}
            />
          </div>
          <button type="submit">{t("stock.record")}</button>
        </form>
      )}
      {sheet.lines && sheet.lines.length > 0 ? (
        <table class="data" data-testid="count-lines">
          <thead>
            <tr>
              <th scope="col">{t("stock.item")}</th>
              <th scope="col" class="number">{t("stock.expected")}</th>
              <th scope="col" class="number">{t("stock.counted")}</th>
              <th scope="col" class="number">{t("stock.difference")}</th>
            </tr>
          </thead>
          <tbody>
            {sheet.lines.map((line) => (
              <tr key={line.sku} data-testid="count-line">
                <th scope="row">{line.name ?? line.sku}</th>
                <td class="number">{line.expected}</td>
                <td class="number">{line.counted}</td>
                <td class={line.variance === 0 ? "number" : "number differs"}>
                  {line.variance > 0 ? `+${line.variance}` : line.variance}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>{t("stock.nothingCounted")}</p>
      )}
      {open && (
        <div class="actions">
          <button type="button" disabled={busy} onClick={() => void finish("commit")}>
            {t("stock.commitCount")}
          </button>
          <button class="secondary" type="button" disabled={busy} onClick={() => void finish("cancel")}>
            {t("stock.cancelCount")}
          </button>
        </div>
      )}
    </div>
  );
}
