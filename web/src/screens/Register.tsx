import { useEffect, useState } from "preact/hooks";

import { t } from "../i18n";
import type { PairedRegister } from "../register";
import { signOutHere } from "../offline/kept";
import type { SignedIn } from "../session";
import { currentShift, tenantCurrency } from "../till";
import { explain } from "../ui/explain";
import { OpenShift } from "./OpenShift";
import { Sale } from "./Sale";
import { type RegisterTask, RegisterMenu } from "./shift/RegisterMenu";
import { RegisterTaskView } from "./shift/RegisterTaskView";

/** An employee at a paired register: open the shift if it is closed, then sell. */
export function Register({ user, register }: { user: SignedIn; register: PairedRegister }) {
  const [shiftOpen, setShiftOpen] = useState<boolean | null>(null);
  const [currency, setCurrency] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [task, setTask] = useState<RegisterTask | null>(null);

  useEffect(() => {
    currentShift(register.registerId).then((s) => setShiftOpen(s !== null), (e) => setError(explain(e)));
    tenantCurrency().then(setCurrency, (e) => setError(explain(e)));
  }, [register.registerId]);

  return (
    <div class="register">
      <div class="register-bar">
        <span data-testid="register-name">{t("home.atRegister", { register: register.name })}</span>
        <span>{user.name}</span>
        {shiftOpen && <RegisterMenu onChoose={setTask} />}
        <button class="secondary" type="button" onClick={() => void signOutHere()}>
          {t("home.signOut")}
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {shiftOpen === false && <OpenShift registerId={register.registerId} onOpen={() => setShiftOpen(true)} />}
      {shiftOpen && currency && task && (
        <RegisterTaskView
          task={task}
          user={user}
          register={register}
          currency={currency}
          onDone={(closed) => {
            setTask(null);
            if (closed) setShiftOpen(false);
          }}
        />
      )}
      {shiftOpen && currency && !task && (
        <Sale locationId={register.locationId} registerId={register.registerId} currency={currency} />
      )}
    </div>
  );
}
