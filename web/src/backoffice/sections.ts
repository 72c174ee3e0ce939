// The back office's sections, in the order the menu shows them. A section appears to someone
// who holds its permission; each draws its own pages under #/<id>/...
import type { ComponentType } from "preact";

import type { StringKey } from "../i18n";
import { CatalogSection } from "./catalog/CatalogSection";
import { CustomersSection } from "./customers/CustomersSection";
import { Home } from "./Home";
import { ReportsSection } from "./reports/ReportsSection";
import { SettingsSection } from "./settings/SettingsSection";
import { StockSection } from "./stock/StockSection";

export interface SectionProps {
  /** The path under the section: ``["products", "p_123"]`` for ``#/catalog/products/p_123``. */
  path: string[];
  currency: string;
}

export interface Section {
  id: string;
  label: StringKey;
  /** Shown to someone holding any of these (everyone when empty). */
  anyOf: string[];
  component: ComponentType<SectionProps>;
}

export const SECTIONS: Section[] = [
  // Everyone signed in: what to do on this device (and today's sales, to who may read reports).
  { id: "home", label: "office.home", anyOf: [], component: Home },
  { id: "catalog", label: "office.catalog", anyOf: ["catalog:read"], component: CatalogSection },
  { id: "stock", label: "office.stock", anyOf: ["inventory:read"], component: StockSection },
  {
    id: "customers",
    label: "office.customers",
    anyOf: ["customers:read", "gift_cards:read"],
    component: CustomersSection,
  },
  { id: "reports", label: "office.reports", anyOf: ["reports:read"], component: ReportsSection },
  {
    id: "settings",
    label: "office.settings",
    anyOf: ["settings:read", "staff:read", "api_keys:manage", "webhooks:manage", "registers:pair"],
    component: SettingsSection,
  },
];

export function sectionsFor(permissions: string[]): Section[] {
  return SECTIONS.filter((s) => s.anyOf.length === 0 || s.anyOf.some((p) => permissions.includes(p)));
}
