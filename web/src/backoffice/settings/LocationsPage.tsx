import { useEffect, useState } from "preact/hooks";

import { api } from "../../api";
import { t } from "../../i18n";
import { explain } from "../../ui/explain";
import { href } from "../route";
import { CheckField, Form, NO_PROBLEMS, type Problems, Said, TextField, problemsOf } from "./form";
import { RegistersPanel } from "./RegistersPanel";
import { type LocationRow, allLocations, at, may } from "./requests";
import type { SettingsPageProps } from "./SettingsSection";
import { ShopForm } from "./ShopForm";

const FIELDS = ["name", "timezone", "address", "taxInclusive", "allowNegativeStock"];

/** The shop's locations; one opened shows its settings and its registers. */
export function LocationsPage({ path }: SettingsPageProps) {
  const [rows, setRows] = useState<LocationRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = () => allLocations().then(setRows, (e) => setError(explain(e)));
  useEffect(() => void reload(), []);
  const open = rows?.find((l) => l.locationId === path[0]);
  if (open) return <LocationPage key={open.locationId} location={open} onChanged={reload} />;
  return (
    <div>
      <h2>{t("settings.locations")}</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <ul class="rows">
        {rows?.map((l) => (
          <li key={l.locationId}>
            <a href={href(["settings", "locations", l.locationId])}>{l.name}</a>
            <span class="muted">{l.timezone}</span>
            {!l.active && <span class="tag">{t("settings.archived")}</span>}
          </li>
        ))}
      </ul>
      {may("settings:write") && <LocationForm onSaved={reload} />}
      <ShopForm />
    </div>
  );
}

function LocationPage({ location, onChanged }: { location: LocationRow; onChanged: () => void }) {
  return (
    <div>
      <a class="back" href={href(["settings", "locations"])}>
        {t("settings.allLocations")}
      </a>
      <h2>{location.name}</h2>
      {may("settings:write") ? (
        <LocationForm location={location} onSaved={onChanged} />
      ) : (
        <p class="muted">{location.timezone}</p>
      )}
      <RegistersPanel locationId={location.locationId} />
    </div>
  );
}

/** A new location, or this one's settings (with archive and restore). */
function LocationForm({ location, onSaved }: { location?: LocationRow; onSaved: () => void }) {
  const id = location ? "location-edit" : "location-new";
  const [name, setName] = useState(location?.name ?? "");
  const [timezone, setTimezone] = useState(location?.timezone ?? "");
  const [line1, setLine1] = useState(location?.address.line1 ?? "");
  const [city, setCity] = useState(location?.address.city ?? "");
  const [postalCode, setPostalCode] = useState(location?.address.postalCode ?? "");
  const [country, setCountry] = useState(location?.address.country ?? "");
  const [taxInclusive, setTaxInclusive] = useState(location?.taxInclusive ?? false);
  const [negative, setNegative] = useState(location?.allowNegativeStock ?? true);
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [notice, setNotice] = useState<string | null>(null);

  async function send(body: Record<string, unknown>) {
    setProblems(NO_PROBLEMS);
    setNotice(null);
    try {
      if (location) {
        await api("PATCH", at("locations", location.locationId), { ...body, version: location.version });
        setNotice(t("settings.saved"));
      } else {
        await api("POST", "/v1/locations", body);
        setName("");
        setNotice(t("settings.added", { name: String(body.name) }));
      }
      onSaved();
    } catch (e) {
      setProblems(problemsOf(e, FIELDS));
    }
  }

  function save() {
    const address = { ...location?.address, line1, city, postalCode, country: country.toUpperCase() };
    void send({
      name,
      address,
      ...(timezone ? { timezone } : {}),
      taxInclusive,
      allowNegativeStock: negative,
    });
  }

  return (
    <Form label={location ? t("settings.locationEdit") : t("settings.locationNew")} onSubmit={save}>
      <h3>{location ? t("settings.locationEdit") : t("settings.locationNew")}</h3>
      <Said problems={problems} notice={notice} />
      <div class="form-grid">
        <TextField id={`${id}-name`} label={t("settings.name")} value={name} onValue={setName} error={problems.fields.name} />
        <TextField
          id={`${id}-timezone`}
          label={t("settings.timezone")}
          value={timezone}
          onValue={setTimezone}
          error={problems.fields.timezone}
        />
        <TextField id={`${id}-line1`} label={t("settings.street")} value={line1} onValue={setLine1} error={problems.fields.address} />
        <TextField id={`${id}-city`} label={t("settings.city")} value={city} onValue={setCity} />
        <TextField id={`${id}-postal`} label={t("settings.postalCode")} value={postalCode} onValue={setPostalCode} />
        <TextField id={`${id}-country`} label={t("settings.country")} value={country} onValue={setCountry} />
      </div>
      <CheckField label={t("settings.taxInclusive")} checked={taxInclusive} onChecked={setTaxInclusive} />
      <CheckField label={t("settings.allowNegativeStock")} checked={negative} onChecked={setNegative} />
      <div class="actions">
        <button type="submit">{location ? t("settings.save") : t("settings.addLocation")}</button>
        {location && (
          <button class="secondary" type="button" onClick={() => void send({ active: !location.active })}>
            {location.active ? t("settings.archive") : t("settings.restore")}
          </button>
        )}
      </div>
    </Form>
  );
}
