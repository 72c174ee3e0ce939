// The counts at a location: start one, or go back to one still open.
import { useEffect, useState } from "preact/hooks";

import { type StringKey, t } from "../../i18n";
import { explain } from "../../ui/explain";
import { may } from "../may";
import { go, href } from "../route";
import { type Count, counts, startCount } from "./stockApi";

export function Counts({ locationId }: { locationId: string }) {
  const [rows, setRows] = useState<Count[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    counts(locationId).then(setRows, (e) => setError(explain(e)));
  }, [locationId]);
  const start = async () => {
    setBusy(true);
    try {
      const made = await startCount(locationId);
      go(["stock", "counts", made.countId]);
    } catch (failure) {
      setError(explain(failure));
      setBusy(false);
    }
  };
  return (
    <>
      {may("inventory:write") && (
        <button type="button" disabled={busy} onClick={() => void start()}>
          {t("stock.startCount")}
        </button>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {rows && rows.length === 0 && <p>{t("stock.noCounts")}</p>}
      {rows && rows.length > 0 && (
        <ul class="rows">
          {rows.map((c) => (
            <li key={c.countId}>
              <a href={href(["stock", "counts", c.countId])}>
                {t("stock.countOf", { date: new Date(c.createdAt).toLocaleString() })}
              </a>
              <span>{t(`stock.countStatus.${c.status}` as StringKey)}</span>
              <span class="muted">{t("stock.countLines", { count: c.lineCount })}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
