import { useState } from "preact/hooks";

import { t } from "../i18n";
import { pairedRegister } from "../register";
import { PairRegister } from "../screens/PairRegister";
import { currentUser, signOut } from "../session";
import { may } from "./may";
import { Dashboard } from "./reports/Dashboard";
import type { SectionProps } from "./sections";

/** Where a signed-in user lands: what to do next on this device. Selling happens on a paired
 * register, where cashiers sign in by PIN; a manager sets the device up once.
 * Whoever may read reports also sees today's sales (the dashboard). */
export function Home(_props: SectionProps) {
  const [pairing, setPairing] = useState(false);
  const user = currentUser.value;
  const register = pairedRegister.value;
  if (pairing) return <PairRegister onDone={() => setPairing(false)} />;
  const mayPair = user?.permissions.includes("registers:pair") ?? false;
  return (
    <section class="panel wide" aria-labelledby="home-title">
      <h1 id="home-title">{t("office.home")}</h1>
      {register ? (
        <>
          <p>{t("office.homeRegister", { register: register.name })}</p>
          <button class="choice" type="button" onClick={() => void signOut()}>
            {t("office.openRegister")}
          </button>
        </>
      ) : (
        <>
          <p>{t("office.homeNoRegister")}</p>
          {mayPair && (
            <button class="choice" type="button" onClick={() => setPairing(true)}>
              {t("home.pair")}
            </button>
          )}
        </>
      )}
      {may("reports:read") && <Dashboard />}
    </section>
  );
}
