import { useState } from "preact/hooks";

import { t } from "../i18n";
import { pairedRegister } from "../register";
import { type SignedIn, signOut } from "../session";
import { PairRegister } from "./PairRegister";

/** Where a signed-in person lands. The register and back-office screens start from here. */
export function Home({ user }: { user: SignedIn }) {
  const [pairing, setPairing] = useState(false);
  const register = pairedRegister.value;
  if (pairing) return <PairRegister onDone={() => setPairing(false)} />;
  const mayPair = user.kind === "user" && user.permissions.includes("registers:pair");
  return (
    <section class="panel" aria-labelledby="home-title">
      <h1 id="home-title">{t("home.signedInAs", { name: user.name })}</h1>
      {register && <p data-testid="register-name">{t("home.atRegister", { register: register.name })}</p>}
      {mayPair && (
        <button class="choice" type="button" onClick={() => setPairing(true)}>
          {register ? t("home.pairAgain") : t("home.pair")}
        </button>
      )}
      <button class="secondary" type="button" onClick={() => void signOut()}>
        {t("home.signOut")}
      </button>
    </section>
  );
}
