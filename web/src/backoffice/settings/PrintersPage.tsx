import { useEffect, useState } from "preact/hooks";

import { api } from "../../api";
import { t } from "../../i18n";
import { Form, NO_PROBLEMS, type Problems, Said, SelectField, TextField, problemsOf } from "./form";
import { LocationPicker, useLocationChoice } from "./LocationPicker";
import { at, listAll, may } from "./requests";
import type { SettingsPageProps } from "./SettingsSection";

interface PrinterRow {
  printerId: string;
  name: string;
  type: string;
  address: string;
  active: boolean;
}

/** Each location's network printers (receipt or kitchen, ESC/POS over TCP), with a test page
 * to check one is set up right. */
export function PrintersPage(_props: SettingsPageProps) {
  const { places, chosen, choose, error } = useLocationChoice();
  return (
    <div>
      <h2>{t("settings.printers")}</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {places?.length === 0 && <p class="muted">{t("settings.noLocations")}</p>}
      {places && chosen && (
        <>
          <LocationPicker id="printer-location" places={places} chosen={chosen} choose={choose} />
          <PrintersAt key={chosen} locationId={chosen} />
        </>
      )}
    </div>
  );
}

/** ``host:port`` as the API takes it (an IPv6 address in brackets). */
function address(host: string, port: string): string {
  const h = host.trim();
  const bracketed = h.includes(":") && !h.startsWith("[") ? `[${h}]` : h;
  return port.trim() ? `${bracketed}:${port.trim()}` : bracketed;
}

function PrintersAt({ locationId }: { locationId: string }) {
  const [rows, setRows] = useState<PrinterRow[] | null>(null);
  const [name, setName] = useState("");
  const [kind, setKind] = useState("receipt");
  const [host, setHost] = useState("");
  const [port, setPort] = useState("9100");
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const base = at("locations", locationId, "printers");
  const mayWrite = may("settings:write");
  const reload = () => listAll<PrinterRow>(base).then(setRows);
  useEffect(() => {
    reload().catch((e) => setProblems(problemsOf(e, [])));
  }, []);

  async function act(work: () => Promise<string>) {
    setProblems(NO_PROBLEMS);
    setNotice(null);
    try {
      setNotice(await work());
      await reload();
    } catch (e) {
      setProblems(problemsOf(e, ["name", "type", "address"]));
    }
  }

  function add() {
    void act(async () => {
      await api("POST", base, { name, type: kind, address: address(host, port) });
      setName("");
      setHost("");
      return t("settings.added", { name });
    });
  }

  async function testPrint(printer: PrinterRow) {
    setBusy(printer.printerId);
    await act(async () => {
      const sent = await api<{ bytes: number }>("POST", `${base}/${encodeURIComponent(printer.printerId)}/test-print`);
      return t("settings.testPrinted", { name: printer.name, bytes: sent.bytes });
    });
    setBusy(null);
  }

  const kinds = [
    { value: "receipt", label: t("settings.printerReceipt") },
    { value: "kitchen", label: t("settings.printerKitchen") },
  ];
  return (
    <div>
      <Said problems={problems} notice={notice} />
      <ul class="rows">
        {rows?.map((p) => (
          <li key={p.printerId} data-testid="printer-row">
            <span class="row-name">{p.name}</span>
            <span>{kinds.find((k) => k.value === p.type)?.label ?? p.type}</span>
            <code>{p.address}</code>
            {mayWrite && (
              <span class="row-actions">
                <button
                  type="button"
                  disabled={busy === p.printerId}
                  aria-label={t("settings.testPrintNamed", { name: p.name })}
                  onClick={() => void testPrint(p)}
                >
                  {t("settings.testPrint")}
                </button>
                <button
                  class="secondary"
                  type="button"
                  aria-label={t("settings.archiveNamed", { name: p.name })}
                  onClick={() =>
                    void act(async () => {
                      await api("DELETE", `${base}/${encodeURIComponent(p.printerId)}`);
                      return t("settings.saved");
                    })
                  }
                >
                  {t("settings.archive")}
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
      {rows?.length === 0 && <p class="muted">{t("settings.noPrinters")}</p>}
      {mayWrite && (
        <Form label={t("settings.printerNew")} onSubmit={add}>
          <h3>{t("settings.printerNew")}</h3>
          <div class="form-grid">
            <TextField id="printer-name" label={t("settings.name")} value={name} onValue={setName} error={problems.fields.name} />
            <SelectField id="printer-kind" label={t("settings.printerKind")} value={kind} onValue={setKind} options={kinds} error={problems.fields.type} />
            <TextField id="printer-host" label={t("settings.printerHost")} value={host} onValue={setHost} error={problems.fields.address} />
            <TextField id="printer-port" label={t("settings.printerPort")} inputMode="numeric" value={port} onValue={setPort} />
          </div>
          <button type="submit">{t("settings.addPrinter")}</button>
        </Form>
      )}
    </div>
  );
}
