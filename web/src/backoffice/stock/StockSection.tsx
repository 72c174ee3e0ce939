// Stock: levels at a location (search, low-stock filter, adjustments), counts and transfers,
// each at its own address under #/stock/.
import { useEffect, useState } from "preact/hooks";

import { t } from "../../i18n";
import { explain } from "../../ui/explain";
import { href } from "../route";
import type { SectionProps } from "../sections";
import { CountSheet } from "./CountSheet";
import { Counts } from "./Counts";
import { Levels } from "./Levels";
import { type Location, locations, stockLocation } from "./stockApi";
import { Transfers } from "./Transfers";

const PAGES = [
  { id: "levels", label: "stock.levels" },
  { id: "counts", label: "stock.counts" },
  { id: "transfers", label: "stock.transfers" },
] as const;

export function StockSection({ path }: SectionProps) {
  const [places, setPlaces] = useState<Location[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    locations().then((found) => {
      setPlaces(found);
      if (stockLocation.value === null && found.length > 0) stockLocation.value = found[0].locationId;
    }, (e) => setError(explain(e)));
  }, []);
  const [page = "levels", id] = path;
  const locationId = stockLocation.value;
  return (
    <section class="panel wide" aria-labelledby="stock-title">
      <h1 id="stock-title">{t("office.stock")}</h1>
      <nav class="tabs" aria-label={t("stock.pages")}>
        {PAGES.map((p) => (
          <a key={p.id} href={href(["stock", p.id])} aria-current={p.id === page ? "page" : undefined}>
            {t(p.label)}
          </a>
        ))}
      </nav>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {places && places.length === 0 && <p>{t("stock.noLocations")}</p>}
      {places && locationId && (page === "levels" || (page === "counts" && !id)) && (
        <div class="toolbar">
          <label for="stock-location">{t("stock.location")}</label>
          <select
            id="stock-location"
            value={locationId}
            onChange={(e) => {
              stockLocation.value = (e.currentTarget as HTMLSelectElement).value;
            }}
          >
            {places.map((p) => (
              <option key={p.locationId} value={p.locationId}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {places && locationId && page === "levels" && <Levels locationId={locationId} />}
      {places && locationId && page === "counts" && !id && <Counts locationId={locationId} />}
      {places && page === "counts" && id && <CountSheet countId={id} />}
      {places && page === "transfers" && <Transfers places={places} />}
    </section>
  );
}
