import { useState } from "preact/hooks";

import { t } from "../../i18n";
import { pairedRegister } from "../../register";
import { PairRegister } from "../../screens/PairRegister";
import { currentUser } from "../../session";
import type { SectionProps } from "../sections";

export function SettingsSection(_props: SectionProps) {
  const [pairing, setPairing] = useState(false);
  const register = pairedRegister.value;
  const mayPair = currentUser.value?.permissions.includes("registers:pair") ?? false;
  if (pairing) return <PairRegister onDone={() => setPairing(false)} />;
  return (
    <section class="panel wide" aria-labelledby="settings-title">
      <h1 id="settings-title">{t("office.settings")}</h1>
      {mayPair && (
        <button class="choice" type="button" onClick={() => setPairing(true)}>
          {register ? t("home.pairAgain") : t("home.pair")}
        </button>
      )}
    </section>
  );
}
