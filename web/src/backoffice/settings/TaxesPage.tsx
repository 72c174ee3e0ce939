import { useEffect, useState } from "preact/hooks";

import { api } from "../../api";
import { t } from "../../i18n";
import { Form, NO_PROBLEMS, type Problems, Said, SelectField, TextField, problemsOf } from "./form";
import { LocationPicker, useLocationChoice } from "./LocationPicker";
import { at, listAll, may } from "./requests";
import type { SettingsPageProps } from "./SettingsSection";

interface TaxClassRow {
  taxClassId: string;
  code: string;
  name: string;
  active: boolean;
}

interface TaxRateRow {
  taxRateId: string;
  taxClass: string;
  name: string;
  rate: number;
  active: boolean;
}

/** Tax classes (what kind of goods: standard, food, exempt…) and each location's rates for
 * them; a class may have several rates at a location (state and city). */
export function TaxesPage(_props: SettingsPageProps) {
  const [classes, setClasses] = useState<TaxClassRow[]>([]);
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [notice, setNotice] = useState<string | null>(null);
  const { places, chosen, choose, error } = useLocationChoice();
  const mayWrite = may("settings:write");

  const reloadClasses = () => listAll<TaxClassRow>("/v1/tax-classes").then((rows) => setClasses(rows.filter((c) => c.active)));
  useEffect(() => {
    reloadClasses().catch((e) => setProblems(problemsOf(e, [])));
  }, []);

  async function act(work: Promise<unknown>, said: string, fields: string[] = []) {
    setProblems(NO_PROBLEMS);
    setNotice(null);
    try {
      await work;
      setNotice(said);
      await reloadClasses();
      return true;
    } catch (e) {
      setProblems(problemsOf(e, fields));
      return false;
    }
  }

  return (
    <div>
      <h2>{t("settings.taxClasses")}</h2>
      <Said problems={problems} notice={notice} />
      <ul class="rows">
        {classes.map((c) => (
          <li key={c.taxClassId}>
            <span class="row-name">{c.name}</span>
            <code>{c.code}</code>
            {mayWrite && (
              <button
                class="secondary"
                type="button"
                aria-label={t("settings.archiveNamed", { name: c.name })}
                onClick={() => void act(api("DELETE", at("tax-classes", c.taxClassId)), t("settings.saved"))}
              >
                {t("settings.archive")}
              </button>
            )}
          </li>
        ))}
      </ul>
      {mayWrite && <TaxClassForm onAdd={(body) => act(api("POST", "/v1/tax-classes", body), t("settings.added", { name: body.name }), ["code", "name"])} problems={problems} />}

      <h2>{t("settings.taxRates")}</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {places && chosen && (
        <>
          <LocationPicker id="tax-location" places={places} chosen={chosen} choose={choose} />
          <RatesAt key={chosen} locationId={chosen} classes={classes} />
        </>
      )}
    </div>
  );
}

function TaxClassForm(props: { onAdd: (body: { code: string; name: string }) => Promise<boolean>; problems: Problems }) {
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  async function add() {
    if (await props.onAdd({ code, name })) {
      setCode("");
      setName("");
    }
  }
  return (
    <Form label={t("settings.taxClassNew")} onSubmit={() => void add()}>
      <div class="form-grid">
        <TextField id="tax-class-code" label={t("settings.code")} value={code} onValue={setCode} error={props.problems.fields.code} />
        <TextField id="tax-class-name" label={t("settings.name")} value={name} onValue={setName} error={props.problems.fields.name} />
      </div>
      <button type="submit">{t("settings.addTaxClass")}</button>
    </Form>
  );
}

function RatesAt({ locationId, classes }: { locationId: string; classes: TaxClassRow[] }) {
  const [rates, setRates] = useState<TaxRateRow[] | null>(null);
  const [taxClass, setTaxClass] = useState(classes[0]?.code ?? "");
  const [name, setName] = useState("");
  const [rate, setRate] = useState("");
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [notice, setNotice] = useState<string | null>(null);
  const base = at("locations", locationId, "tax-rates");
  const mayWrite = may("settings:write");
  const reload = () => listAll<TaxRateRow>(base).then((rows) => setRates(rows.filter((r) => r.active)));
  useEffect(() => {
    reload().catch((e) => setProblems(problemsOf(e, [])));
  }, []);
  useEffect(() => {
    if (!taxClass && classes[0]) setTaxClass(classes[0].code);
  }, [classes]);

  async function act(work: () => Promise<unknown>, said: string) {
    setProblems(NO_PROBLEMS);
    setNotice(null);
    try {
      await work();
      setNotice(said);
      await reload();
    } catch (e) {
      setProblems(problemsOf(e, ["taxClass", "name", "rate"]));
    }
  }

  function add() {
    // Sent as typed: the server says whether it is a percent it accepts.
    const body = { taxClass, name, rate: rate.trim() === "" ? null : Number(rate.replace(",", ".")) };
    void act(async () => {
      await api("POST", base, body);
      setName("");
      setRate("");
    }, t("settings.added", { name }));
  }

  const className = (code: string) => classes.find((c) => c.code === code)?.name ?? code;
  return (
    <div>
      <Said problems={problems} notice={notice} />
      <ul class="rows">
        {rates?.map((r) => (
          <li key={r.taxRateId} data-testid="tax-rate">
            <span class="row-name">{r.name}</span>
            <span>{className(r.taxClass)}</span>
            <span>{t("settings.percent", { rate: r.rate })}</span>
            {mayWrite && (
              <button
                class="secondary"
                type="button"
                aria-label={t("settings.archiveNamed", { name: r.name })}
                onClick={() => void act(() => api("DELETE", `${base}/${encodeURIComponent(r.taxRateId)}`), t("settings.saved"))}
              >
                {t("settings.archive")}
              </button>
            )}
          </li>
        ))}
      </ul>
      {rates?.length === 0 && <p class="muted">{t("settings.noRates")}</p>}
      {mayWrite && classes.length > 0 && (
        <Form label={t("settings.taxRateNew")} onSubmit={add}>
          <div class="form-grid">
            <SelectField
              id="tax-rate-class"
              label={t("settings.taxClass")}
              value={taxClass}
              onValue={setTaxClass}
              options={classes.map((c) => ({ value: c.code, label: c.name }))}
              error={problems.fields.taxClass}
            />
            <TextField id="tax-rate-name" label={t("settings.name")} value={name} onValue={setName} error={problems.fields.name} />
            <TextField id="tax-rate-rate" label={t("settings.ratePercent")} inputMode="decimal" value={rate} onValue={setRate} error={problems.fields.rate} />
          </div>
          <button type="submit">{t("settings.addTaxRate")}</button>
        </Form>
      )}
    </div>
  );
}
