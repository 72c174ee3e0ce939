import type { ComponentType } from "preact";
import { useState } from "preact/hooks";

import type { StringKey } from "../../i18n";
import { t } from "../../i18n";
import { pairedRegister } from "../../register";
import { PairRegister } from "../../screens/PairRegister";
import { href } from "../route";
import type { SectionProps } from "../sections";
import { ApiKeysPage } from "./ApiKeysPage";
import { EmployeesPage } from "./EmployeesPage";
import { LocationsPage } from "./LocationsPage";
import { PrintersPage } from "./PrintersPage";
import { may } from "./requests";
import { TaxesPage } from "./TaxesPage";
import { UsersPage } from "./UsersPage";
import { WebhooksPage } from "./WebhooksPage";

export interface SettingsPageProps {
  /** The path under the page: ``["loc_1"]`` for ``#/settings/locations/loc_1``. */
  path: string[];
}

interface SettingsPage {
  id: string;
  label: StringKey;
  /** Shown to someone holding any of these. */
  anyOf: string[];
  component: ComponentType<SettingsPageProps>;
}

const PAGES: SettingsPage[] = [
  { id: "locations", label: "settings.locations", anyOf: ["settings:read"], component: LocationsPage },
  { id: "employees", label: "settings.employees", anyOf: ["staff:read"], component: EmployeesPage },
  { id: "users", label: "settings.users", anyOf: ["staff:read"], component: UsersPage },
  { id: "taxes", label: "settings.taxes", anyOf: ["settings:read"], component: TaxesPage },
  { id: "printers", label: "settings.printers", anyOf: ["settings:read"], component: PrintersPage },
  { id: "webhooks", label: "settings.webhooks", anyOf: ["webhooks:manage"], component: WebhooksPage },
  { id: "api-keys", label: "settings.apiKeys", anyOf: ["api_keys:manage"], component: ApiKeysPage },
];

/** Settings: a page per kind of thing, each shown only to those whose role lets them see it;
 * and, for whoever may pair registers, setting up this device as one. */
export function SettingsSection({ path }: SectionProps) {
  const [pairing, setPairing] = useState(false);
  const register = pairedRegister.value;
  const mayPair = may("registers:pair");
  if (pairing) return <PairRegister onDone={() => setPairing(false)} />;
  const pages = PAGES.filter((p) => p.anyOf.some(may));
  const [first, ...rest] = path;
  const named = pages.find((p) => p.id === first);
  const open = named ?? pages[0];
  return (
    <section class="panel wide settings" aria-labelledby="settings-title">
      <h1 id="settings-title">{t("office.settings")}</h1>
      {pages.length > 0 && (
        <nav class="settings-tabs" aria-label={t("settings.pages")}>
          {pages.map((p) => (
            <a key={p.id} href={href(["settings", p.id])} aria-current={p === open ? "page" : undefined}>
              {t(p.label)}
            </a>
          ))}
        </nav>
      )}
      {mayPair && (
        <button class="choice" type="button" onClick={() => setPairing(true)}>
          {register ? t("home.pairAgain") : t("home.pair")}
        </button>
      )}
      {open && <open.component key={open.id} path={named ? rest : []} />}
    </section>
  );
}
