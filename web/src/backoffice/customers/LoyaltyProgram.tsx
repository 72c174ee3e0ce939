// The tenant's loyalty program: how many points a purchase earns, what a point is worth, the
// least a customer may redeem and when points expire. Set by who holds settings:write; what
// this form does not show (rounding, excluded categories) is sent back as it was.
import { useEffect, useState } from "preact/hooks";

import { t } from "../../i18n";
import { formatMoney } from "../../money";
import { Field } from "../../ui/Field";
import { may } from "../may";
import { Alert, useAction } from "./action";
import { type Program, program, saveProgram } from "./customersApi";

interface Form {
  name: string;
  active: boolean;
  pointsPerUnit: string;
  pointValue: string;
  minimumRedemption: string;
  expiryMonths: string;
}

const NEW: Form = {
  name: "Loyalty",
  active: true,
  pointsPerUnit: "1",
  pointValue: "0.01",
  minimumRedemption: "0",
  expiryMonths: "",
};

export function LoyaltyProgram({ currency }: { currency: string }) {
  const [current, setCurrent] = useState<Program | null>(null);
  const [form, setForm] = useState<Form>(NEW);
  const [saved, setSaved] = useState(false);
  const { busy, error, setError, run } = useAction();
  const show = (found: Program | null) => {
    setCurrent(found);
    if (found)
      setForm({
        name: found.name,
        active: found.active,
        pointsPerUnit: String(found.pointsPerUnit),
        pointValue: String(found.pointValue),
        minimumRedemption: String(found.minimumRedemption),
        expiryMonths: found.expiryMonths === null ? "" : String(found.expiryMonths),
      });
  };
  useEffect(() => {
    void run(async () => show(await program()));
  }, []);
  // From the latest state: two fields filled before a render must both be kept.
  const set = (name: keyof Form) => (value: string) => setForm((latest) => ({ ...latest, [name]: value }));
  const submit = async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    const numbers = [form.pointsPerUnit, form.pointValue, form.minimumRedemption].map(Number);
    const expiry = form.expiryMonths.trim() === "" ? null : Number(form.expiryMonths);
    if (numbers.some((n) => !Number.isFinite(n)) || (expiry !== null && !Number.isInteger(expiry))) {
      return setError(t("program.wrong"));
    }
    const [pointsPerUnit, pointValue, minimumRedemption] = numbers;
    const settings = {
      name: form.name,
      active: form.active,
      pointsPerUnit,
      pointValue,
      minimumRedemption,
      expiryMonths: expiry,
      rounding: current?.rounding ?? "down",
      excludedCategoryIds: current?.excludedCategoryIds ?? [],
    };
    if (await run(async () => show(await saveProgram(settings, current?.version ?? null)))) setSaved(true);
  };
  const editable = may("settings:write");
  return (
    <form class="card" onSubmit={submit} aria-labelledby="program-title">
      <h2 id="program-title">{t("program.title")}</h2>
      {current === null && <p>{t("program.none")}</p>}
      {current && (
        <p class="muted">
          {t("program.summary", {
            points: current.pointsPerUnit,
            value: formatMoney(current.pointValue, currency),
          })}
        </p>
      )}
      <fieldset disabled={!editable}>
        <Field id="program-name" label={t("program.name")} value={form.name} onValue={set("name")} />
        <label class="check">
          <input type="checkbox" checked={form.active} onChange={(e) => {
              const active = e.currentTarget.checked;
              setForm((latest) => ({ ...latest, active }));
            }} />
          {t("program.active")}
        </label>
        <div class="toolbar">
          <div>
            <Field
              id="program-earn"
              label={t("program.pointsPerUnit")}
              inputMode="decimal"
              value={form.pointsPerUnit}
              onValue={set("pointsPerUnit")}
            />
          </div>
          <div>
            <Field
              id="program-value"
              label={t("program.pointValue")}
              inputMode="decimal"
              value={form.pointValue}
              onValue={set("pointValue")}
            />
          </div>
        </div>
        <div class="toolbar">
          <div>
            <Field
              id="program-minimum"
              label={t("program.minimum")}
              inputMode="numeric"
              value={form.minimumRedemption}
              onValue={set("minimumRedemption")}
            />
          </div>
          <div>
            <Field
              id="program-expiry"
              label={t("program.expiry")}
              inputMode="numeric"
              value={form.expiryMonths}
              onValue={set("expiryMonths")}
            />
          </div>
        </div>
        {editable && (
          <button type="submit" disabled={busy}>
            {t("program.save")}
          </button>
        )}
      </fieldset>
      {saved && <p role="status">{t("program.saved")}</p>}
      <Alert message={error} />
    </form>
  );
}
