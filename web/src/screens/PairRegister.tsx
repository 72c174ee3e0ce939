import { useEffect, useState } from "preact/hooks";

import { t } from "../i18n";
import { type Place, locations, pair, registersAt } from "../register";
import { explain } from "../ui/explain";

/** A manager makes this device one of a location's registers. */
export function PairRegister({ onDone }: { onDone: () => void }) {
  const [places, setPlaces] = useState<Place[] | null>(null);
  const [location, setLocation] = useState<Place | null>(null);
  const [registers, setRegisters] = useState<Place[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    locations().then(setPlaces, (e) => setError(explain(e)));
  }, []);

  async function chooseLocation(place: Place) {
    setLocation(place);
    setRegisters(null);
    setError(null);
    try {
      setRegisters(await registersAt(place.id));
    } catch (e) {
      setError(explain(e));
    }
  }

  async function chooseRegister(register: Place) {
    if (location === null) return;
    setError(null);
    try {
      await pair(location.id, register.id);
      onDone();
    } catch (e) {
      setError(explain(e));
    }
  }

  return (
    <section class="panel wide" aria-labelledby="pair-title">
      <h1 id="pair-title">{t("pair.title")}</h1>
      <p class="muted">{t("pair.explain")}</p>
      <h2>{t("pair.location")}</h2>
      <div class="choices">
        {places?.map((place) => (
          <button
            key={place.id}
            type="button"
            class={place.id === location?.id ? "choice chosen" : "choice"}
            aria-pressed={place.id === location?.id}
            onClick={() => void chooseLocation(place)}
          >
            {place.name}
          </button>
        ))}
      </div>
      {location && (
        <>
          <h2>{t("pair.register")}</h2>
          <div class="choices">
            {registers?.map((register) => (
              <button
                key={register.id}
                type="button"
                class="choice"
                onClick={() => void chooseRegister(register)}
              >
                {register.name}
              </button>
            ))}
          </div>
          {registers?.length === 0 && <p class="muted">{t("pair.noRegisters")}</p>}
        </>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button class="secondary" type="button" onClick={onDone}>
        {t("common.cancel")}
      </button>
    </section>
  );
}
