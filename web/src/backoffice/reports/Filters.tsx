// The filters the reports share: a range of business days (named, or custom dates) and a
// location (all, or one), kept while moving between the reports' pages.
import { signal } from "@preact/signals";
import { useEffect, useState } from "preact/hooks";

import { type StringKey, t } from "../../i18n";
import { explain } from "../../ui/explain";
import { type Location, locations } from "../stock/stockApi";
import { RANGES, type RangeName, rangeDays, today } from "./reportsApi";

export const range = signal<RangeName>("today");
export const customFrom = signal<string>(today());
export const customTo = signal<string>(today());
export const reportLocation = signal<string>("");
/** The name of each location the person may see, once the location filter has read them. */
export const locationNames = signal<Map<string, string>>(new Map());

/** The first and last day the range names now; empty for today, which the server takes as
 * each location's own today (the device's date may be another). */
export function chosenDays(): [string, string] {
  const name = range.value;
  if (name === "today") return ["", ""];
  return name === "custom" ? [customFrom.value, customTo.value] : rangeDays(name, today());
}

/** A CSV file's name: the report, its days, its grouping. */
export function csvName(report: string, from: string, to: string, groupBy?: string): string {
  const days = from === "" ? "today" : `${from}-${to}`;
  return `${[report, days, groupBy].filter(Boolean).join("-")}.csv`;
}

function DateField(props: { id: string; label: StringKey; value: string; onValue: (v: string) => void }) {
  return (
    <div>
      <label for={props.id}>{t(props.label)}</label>
      <input
        id={props.id}
        type="date"
        value={props.value}
        onChange={(e) => props.onValue(e.currentTarget.value)}
      />
    </div>
  );
}

export function RangeFilter({ id }: { id: string }) {
  return (
    <>
      <div>
        <label for={`${id}-range`}>{t("reports.range")}</label>
        <select
          id={`${id}-range`}
          value={range.value}
          onChange={(e) => {
            range.value = e.currentTarget.value as RangeName;
          }}
        >
          {RANGES.map((r) => (
            <option key={r} value={r}>
              {t(`reports.range.${r}` as StringKey)}
            </option>
          ))}
        </select>
      </div>
      {range.value === "custom" && (
        <>
          <DateField
            id={`${id}-from`}
            label="reports.from"
            value={customFrom.value}
            onValue={(v) => {
              customFrom.value = v;
            }}
          />
          <DateField
            id={`${id}-to`}
            label="reports.to"
            value={customTo.value}
            onValue={(v) => {
              customTo.value = v;
            }}
          />
        </>
      )}
    </>
  );
}

/** All locations, or one; only those the person may see are offered (the server's list). */
export function LocationFilter({ id }: { id: string }) {
  const [places, setPlaces] = useState<Location[]>([]);
  useEffect(() => {
    // Without the list the reports still cover every location the person may see.
    locations().then(
      (found) => {
        setPlaces(found);
        locationNames.value = new Map(found.map((p) => [p.locationId, p.name]));
      },
      () => setPlaces([]),
    );
  }, []);
  if (places.length < 2) return null;
  return (
    <div>
      <label for={`${id}-location`}>{t("reports.location")}</label>
      <select
        id={`${id}-location`}
        value={reportLocation.value}
        onChange={(e) => {
          reportLocation.value = e.currentTarget.value;
        }}
      >
        <option value="">{t("reports.allLocations")}</option>
        {places.map((p) => (
          <option key={p.locationId} value={p.locationId}>
            {p.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A report fetched again whenever what it depends on changes; the last answer wins. */
export function useReport<T>(load: () => Promise<T>, deps: unknown[]): [T | null, string | null] {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    setError(null);
    load().then(
      (found) => current && setData(found),
      (e: unknown) => {
        if (!current) return;
        setData(null);
        setError(explain(e));
      },
    );
    return () => {
      current = false;
    };
  }, deps);
  return [data, error];
}
