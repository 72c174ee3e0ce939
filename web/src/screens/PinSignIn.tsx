import { useLayoutEffect, useRef, useState } from "preact/hooks";

import { ApiFailure } from "../api";
import { t } from "../i18n";
import { type PairedRegister, pinSignIn } from "../register";
import { explain } from "../ui/explain";

const DIGITS = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];
const MAX_PIN = 8;

/** Employees sign in on a paired register: pick yourself, then your PIN on the pad (or the
 * keyboard's digits). */
export function PinSignIn({
  register,
  onManager,
}: {
  register: PairedRegister;
  onManager: () => void;
}) {
  const [employee, setEmployee] = useState<{ employeeId: string; name: string } | null>(null);
  // The PIN so far: a ref, so keys pressed faster than the screen redraws all count (the
  // state only shows how many digits there are).
  const entered = useRef("");
  const [pin, setPin] = useState("");
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function update(value: string) {
    entered.current = value;
    setPin(value);
  }

  async function submit(value: string) {
    if (employee === null || value === "") return;
    setWorking(true);
    setError(null);
    try {
      await pinSignIn(employee.employeeId, value);
    } catch (failure) {
      update("");
      const wrong = failure instanceof ApiFailure && failure.error.code === "PIN_INVALID";
      setError(wrong ? t("pin.wrong") : explain(failure));
    } finally {
      setWorking(false);
    }
  }

  function press(key: string) {
    setError(null);
    const now = entered.current;
    if (key === "back") update(now.slice(0, -1));
    else if (key === "enter") void submit(now);
    else if (now.length < MAX_PIN) update(now + key);
  }

  // Listening from the moment the pad is drawn (a layout effect runs before the browser
  // paints): digits typed as soon as it appears all count.
  useLayoutEffect(() => {
    if (employee === null) return;
    const onKey = (event: KeyboardEvent) => {
      if (/^\d$/.test(event.key)) press(event.key);
      else if (event.key === "Backspace") press("back");
      else if (event.key === "Enter") press("enter");
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  if (employee === null) {
    return (
      <section class="panel wide" aria-labelledby="who-title">
        <h1 id="who-title">{t("pin.who", { register: register.name })}</h1>
        <div class="choices">
          {register.employees.map((person) => (
            <button
              key={person.employeeId}
              type="button"
              class="choice"
              onClick={() => setEmployee(person)}
            >
              {person.name}
            </button>
          ))}
        </div>
        {register.employees.length === 0 && <p class="muted">{t("pin.nobody")}</p>}
        <button class="link" type="button" onClick={onManager}>
          {t("pin.managerSignIn")}
        </button>
      </section>
    );
  }

  return (
    <section class="panel" aria-labelledby="pin-title">
      <h1 id="pin-title">{t("pin.enter", { name: employee.name })}</h1>
      <output class="pin-dots" aria-label={t("pin.entered", { count: pin.length })}>
        {pin.length === 0 ? "\u00a0" : "\u2022".repeat(pin.length)}
      </output>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="pin-pad">
        {DIGITS.map((digit) => (
          <button key={digit} type="button" disabled={working} onClick={() => press(digit)}>
            {digit}
          </button>
        ))}
        <button type="button" disabled={working} onClick={() => press("back")} aria-label={t("pin.back")}>
          {"\u232b"}
        </button>
        <button type="button" disabled={working} onClick={() => press("0")}>
          0
        </button>
        <button type="button" class="enter" disabled={working} onClick={() => press("enter")}>
          {t("pin.ok")}
        </button>
      </div>
      <button
        class="secondary"
        type="button"
        onClick={() => {
          setEmployee(null);
          update("");
          setError(null);
        }}
      >
        {t("pin.notMe")}
      </button>
    </section>
  );
}
