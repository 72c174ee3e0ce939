import { useEffect, useState } from "preact/hooks";

import { t } from "../i18n";
import { pairedRegister } from "../register";
import { type SignedIn, signOut } from "../session";
import { tenantCurrency } from "../till";
import { explain } from "../ui/explain";
import { href, route } from "./route";
import { sectionsFor } from "./sections";

/** A signed-in user's back office: the menu of the sections they may use and the one open. */
export function BackOffice({ user }: { user: SignedIn }) {
  const [currency, setCurrency] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    tenantCurrency().then(setCurrency, (e) => setError(explain(e)));
  }, []);
  const sections = sectionsFor(user.permissions);
  const [first, ...rest] = route.value;
  const named = sections.find((s) => s.id === first);
  const open = named ?? sections[0];
  const register = pairedRegister.value;
  return (
    <div class="office">
      <nav class="office-menu" aria-label={t("office.menu")}>
        <ul>
          {sections.map((s) => (
            <li key={s.id}>
              <a href={href([s.id])} aria-current={s === open ? "page" : undefined}>
                {t(s.label)}
              </a>
            </li>
          ))}
        </ul>
        <div class="office-who">
          <span>{t("home.signedInAs", { name: user.name })}</span>
          {register && <span data-testid="register-name">{t("home.atRegister", { register: register.name })}</span>}
          <button class="secondary" type="button" onClick={() => void signOut()}>
            {t("home.signOut")}
          </button>
        </div>
      </nav>
      <div class="office-page">
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {open === undefined && <p>{t("office.nothing")}</p>}
        {open && currency && <open.component path={named ? rest : []} currency={currency} />}
      </div>
    </div>
  );
}
