import { useEffect, useState } from "preact/hooks";

import { t } from "../../i18n";
import { explain } from "../../ui/explain";
import { SelectField } from "./form";
import { type LocationRow, allLocations } from "./requests";

/** The active locations and the one chosen (the first until another is picked). */
export function useLocationChoice(): {
  places: LocationRow[] | null;
  chosen: string | null;
  choose: (id: string) => void;
  error: string | null;
} {
  const [places, setPlaces] = useState<LocationRow[] | null>(null);
  const [chosen, choose] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    allLocations().then(
      (rows) => {
        const active = rows.filter((l) => l.active);
        setPlaces(active);
        choose(active[0]?.locationId ?? null);
      },
      (e) => setError(explain(e)),
    );
  }, []);
  return { places, chosen, choose, error };
}

export function LocationPicker(props: { id: string; places: LocationRow[]; chosen: string; choose: (id: string) => void }) {
  return (
    <SelectField
      id={props.id}
      label={t("pair.location")}
      value={props.chosen}
      onValue={props.choose}
      options={props.places.map((l) => ({ value: l.locationId, label: l.name }))}
    />
  );
}
