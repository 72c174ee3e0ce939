// Every user-facing string comes from one catalog: a translation is another JSON file.
import en from "./strings/en.json";

export type StringKey = keyof typeof en;
type Catalog = Record<StringKey, string>;

const catalogs: Record<string, Catalog> = { en };
let current: Catalog = en;

/** Use the catalog of ``locale`` (its language) when there is one; English otherwise. */
export function useLocale(locale: string): void {
  current = catalogs[locale.split("-")[0]] ?? en;
}

/** The string for ``key`` with its ``{name}`` placeholders filled in. */
export function t(key: StringKey, values: Record<string, string | number> = {}): string {
  return current[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}
