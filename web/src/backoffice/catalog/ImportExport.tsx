import { useEffect, useState } from "preact/hooks";

import { ApiFailure } from "../../api";
import { t } from "../../i18n";
import { explain } from "../../ui/explain";
import { go } from "../route";
import { type CatalogImport, canChangeCatalog, exportPath, getImport, startImport } from "./catalogApi";
import { FormError } from "./forms";

/** How often a running import is asked for its progress. */
const POLL_MS = 400;

const finished = (run: CatalogImport) => run.status === "succeeded" || run.status === "failed";

/** CSV in: pick a file, watch its rows go through, then see what it made or each bad line.
 * CSV out: the whole catalog in the same format. The import being watched is in the address
 * (#/catalog/import/<id>), so a reload or a return to the page finds it again. */
export function ImportExport({ importId }: { importId?: string }) {
  const canChange = canChangeCatalog();
  const [file, setFile] = useState<File | null>(null);
  const [checkOnly, setCheckOnly] = useState(false);
  const [started, setStarted] = useState<CatalogImport | null>(null);
  const [latest, setLatest] = useState<CatalogImport | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (importId === undefined) return;
    let stopped = false;
    let timer: number | undefined;
    const ask = async () => {
      try {
        const now = await getImport(importId);
        if (stopped) return;
        setLatest(now);
        setError(null);
        if (finished(now)) return;
      } catch (failure) {
        if (stopped) return;
        setError(explain(failure));
        // The server said no (not found, not allowed): asking again changes nothing. Otherwise
        // (too many requests, the connection lost) the import goes on on the server: ask again.
        const refused = failure instanceof ApiFailure && failure.error.status < 500;
        if (refused && failure.error.status !== 429) return;
      }
      timer = window.setTimeout(() => void ask(), POLL_MS);
    };
    void ask();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [importId]);

  async function submit(event: Event) {
    event.preventDefault();
    if (file === null) return;
    setError(null);
    try {
      const made = await startImport(file, checkOnly);
      setStarted(made);
      go(["catalog", "import", made.importId]);
    } catch (failure) {
      setError(explain(failure));
    }
  }

  // What the server said last about the import in the address: its answer to the upload until
  // the first poll comes back.
  const run = [latest, started].find((r) => r !== null && r.importId === importId) ?? null;
  const busy = run !== null && !finished(run);
  return (
    <div class="catalog-import">
      {canChange && (
        <form onSubmit={submit} aria-labelledby="import-title">
          <h2 id="import-title">{t("catalog.importTitle")}</h2>
          <p class="muted">{t("catalog.importExplain")}</p>
          <label for="import-file">{t("catalog.importFile")}</label>
          <input
            id="import-file"
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
          />
          <label class="check">
            <input
              type="checkbox"
              checked={checkOnly}
              onChange={(e) => setCheckOnly((e.currentTarget as HTMLInputElement).checked)}
            />
            {t("catalog.checkOnly")}
          </label>
          <button type="submit" disabled={file === null || busy}>
            {t("catalog.importButton")}
          </button>
        </form>
      )}
      <FormError message={error} />
      {run && <ImportProgress run={run} />}
      <h2>{t("catalog.exportTitle")}</h2>
      <p class="muted">{t("catalog.exportExplain")}</p>
      {/* A plain link: the browser sends the session cookie and saves the attachment itself. */}
      <a class="button" href={exportPath} download="catalog.csv">
        {t("catalog.exportButton")}
      </a>
    </div>
  );
}

function ImportProgress({ run }: { run: CatalogImport }) {
  const total = Math.max(run.totalRows, run.processedRows, 1);
  return (
    <section class="import-run" aria-labelledby="import-run-title">
      <h3 id="import-run-title">{run.filename ?? t("catalog.importUnnamed")}</h3>
      <label for="import-progress">{t("catalog.importProgress")}</label>
      <progress id="import-progress" max={total} value={run.processedRows} />
      <p role="status" data-testid="import-status">
        {run.status === "queued" && t("catalog.importQueued", { total: run.totalRows })}
        {run.status === "running" &&
          t("catalog.importRunning", { done: run.processedRows, total: run.totalRows })}
        {run.status === "succeeded" &&
          t(run.dryRun ? "catalog.importChecked" : "catalog.importDone", {
            total: run.totalRows,
            created: run.created,
            updated: run.updated,
          })}
        {run.status === "failed" && t("catalog.importFailed", { count: run.errorCount })}
      </p>
      {run.status === "failed" && run.errors.length > 0 && (
        <table class="catalog-table">
          <caption>
            {run.errorCount > run.errors.length
              ? t("catalog.importErrorsFirst", { shown: run.errors.length, count: run.errorCount })
              : t("catalog.importErrors")}
          </caption>
          <thead>
            <tr>
              <th scope="col" class="number">
                {t("catalog.line")}
              </th>
              <th scope="col">{t("catalog.sku")}</th>
              <th scope="col">{t("catalog.field")}</th>
              <th scope="col">{t("catalog.problem")}</th>
            </tr>
          </thead>
          <tbody>
            {run.errors.map((e, index) => (
              <tr key={index}>
                <td class="number">{e.line}</td>
                <td>{e.sku ?? ""}</td>
                <td>{e.field ?? ""}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
