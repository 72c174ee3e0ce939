import { useState } from "preact/hooks";

import { t } from "../../i18n";
import type { Approval } from "../../sale";
import { Dialog } from "./Dialog";

/** A discount above the threshold: a manager at the register picks their name and enters
 * their PIN; the server checks it (the cashier signed in is not offered: nobody approves
 * their own discount). */
export function ManagerApproval({
  reasons,
  approvers,
  onApprove,
  onCancel,
}: {
  reasons: string[];
  approvers: { employeeId: string; name: string }[];
  /** The server's verdict: null when it accepted the approval, else what to tell. */
  onApprove: (approval: Approval) => Promise<string | null>;
  onCancel: () => void;
}) {
  const [who, setWho] = useState<string | null>(approvers.length === 1 ? approvers[0].employeeId : null);
  const [pin, setPin] = useState("");
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function approve(event: Event) {
    event.preventDefault();
    if (who === null) {
      setError(t("approval.pickManager"));
      return;
    }
    setWorking(true);
    const refused = await onApprove({ employeeId: who, pin });
    setWorking(false);
    if (refused !== null) {
      setError(refused);
      setPin("");
    }
  }

  return (
    <Dialog id="approval" title={t("approval.title")} onClose={onCancel}>
      <p>{t("approval.explain")}</p>
      <ul class="approval-reasons">
        {reasons.map((reason) => (
          <li key={reason}>{reason}</li>
        ))}
      </ul>
      <form onSubmit={(event) => void approve(event)}>
        <div class="choices" role="group" aria-label={t("approval.who")}>
          {approvers.map((person) => (
            <button
              key={person.employeeId}
              type="button"
              class={who === person.employeeId ? "choice chosen" : "choice"}
              aria-pressed={who === person.employeeId}
              onClick={() => setWho(person.employeeId)}
            >
              {person.name}
            </button>
          ))}
        </div>
        <label for="approval-pin">{t("approval.pin")}</label>
        <input
          id="approval-pin"
          type="password"
          inputMode="numeric"
          autocomplete="off"
          value={pin}
          onInput={(event) => setPin(event.currentTarget.value)}
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions">
          <button class="primary" type="submit" disabled={working || pin.length < 4}>
            {t("approval.approve")}
          </button>
          <button class="secondary" type="button" onClick={onCancel}>
            {t("common.cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
