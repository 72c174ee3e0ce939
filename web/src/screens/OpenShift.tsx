import { useState } from "preact/hooks";

import { t } from "../i18n";
import { openShift } from "../till";
import { explain } from "../ui/explain";
import { Field } from "../ui/Field";

/** The register's shift is closed: count the float into the drawer and open it. */
export function OpenShift({ registerId, onOpen }: { registerId: string; onOpen: () => void }) {
  const [float, setFloat] = useState("");
  const [error, setError] = useState<string | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    const amount = Number(float.replace(",", "."));
    if (!Number.isFinite(amount) || amount < 0) {
      setError(t("shift.badFloat"));
      return;
    }
    try {
      await openShift(registerId, amount);
      onOpen();
    } catch (failure) {
      setError(explain(failure));
    }
  }

  return (
    <form class="panel" onSubmit={submit} aria-labelledby="shift-title">
      <h1 id="shift-title">{t("shift.title")}</h1>
      <p class="muted">{t("shift.explain")}</p>
      <Field
        id="opening-float"
        label={t("shift.float")}
        inputMode="decimal"
        required
        value={float}
        onValue={setFloat}
      />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button class="primary" type="submit">
        {t("shift.open")}
      </button>
    </form>
  );
}
