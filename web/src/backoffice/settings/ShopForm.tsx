import { useEffect, useState } from "preact/hooks";

import { api } from "../../api";
import { t } from "../../i18n";
import { formatMoney } from "../../money";
import { Form, NO_PROBLEMS, type Problems, Said, SelectField, TextField, problemsOf } from "./form";
import { may } from "./requests";

interface Tenant {
  name: string;
  currency: string;
  timezone: string;
  roundingMode: string;
  cashRoundingIncrement: number;
  discountApprovalPercent: number;
  version: number;
}

const FIELDS = ["name", "timezone", "roundingMode", "cashRoundingIncrement", "discountApprovalPercent"];

/** What holds for every location: the shop's name, home time zone and how money is rounded
 * (the currency is fixed when the shop is made, so it is only shown). */
export function ShopForm() {
  const [tenant, setTenant] = useState<Tenant | null>(null);
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  useEffect(() => {
    api<Tenant>("GET", "/v1/tenant").then(setTenant, (e) => setProblems(problemsOf(e, [])));
  }, []);
  if (tenant === null) return <Said problems={problems} />;
  return <ShopFields tenant={tenant} onSaved={setTenant} />;
}

function ShopFields({ tenant, onSaved }: { tenant: Tenant; onSaved: (tenant: Tenant) => void }) {
  const [name, setName] = useState(tenant.name);
  const [timezone, setTimezone] = useState(tenant.timezone);
  const [roundingMode, setRoundingMode] = useState(tenant.roundingMode);
  const [increment, setIncrement] = useState(String(tenant.cashRoundingIncrement));
  const [approval, setApproval] = useState(String(tenant.discountApprovalPercent));
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [notice, setNotice] = useState<string | null>(null);
  const mayWrite = may("settings:write");

  async function save() {
    setProblems(NO_PROBLEMS);
    setNotice(null);
    // Sent as typed: the server says what it accepts.
    const whole = (text: string) => (text.trim() === "" ? null : Number(text));
    try {
      const saved = await api<Tenant>("PATCH", "/v1/tenant", {
        name,
        timezone,
        roundingMode,
        cashRoundingIncrement: whole(increment),
        discountApprovalPercent: whole(approval),
        version: tenant.version,
      });
      onSaved(saved);
    } catch (e) {
      setProblems(problemsOf(e, FIELDS));
      return;
    }
    setNotice(t("settings.saved"));
  }

  return (
    <Form label={t("settings.shop")} onSubmit={() => void save()}>
      <h3>{t("settings.shop")}</h3>
      <p class="muted">{t("settings.currencyIs", { currency: tenant.currency, example: formatMoney(1234.5, tenant.currency) })}</p>
      <Said problems={problems} notice={notice} />
      <div class="form-grid">
        <TextField id="shop-name" label={t("settings.name")} value={name} onValue={setName} error={problems.fields.name} />
        <TextField id="shop-timezone" label={t("settings.timezone")} value={timezone} onValue={setTimezone} error={problems.fields.timezone} />
        <SelectField
          id="shop-rounding"
          label={t("settings.roundingMode")}
          value={roundingMode}
          onValue={setRoundingMode}
          options={[
            { value: "half_up", label: t("settings.roundHalfUp") },
            { value: "half_even", label: t("settings.roundHalfEven") },
          ]}
          error={problems.fields.roundingMode}
        />
        <TextField
          id="shop-cash-rounding"
          label={t("settings.cashRounding")}
          inputMode="numeric"
          value={increment}
          onValue={setIncrement}
          error={problems.fields.cashRoundingIncrement}
        />
        <TextField
          id="shop-approval"
          label={t("settings.discountApproval")}
          inputMode="numeric"
          value={approval}
          onValue={setApproval}
          error={problems.fields.discountApprovalPercent}
        />
      </div>
      {mayWrite && <button type="submit">{t("settings.save")}</button>}
    </Form>
  );
}
