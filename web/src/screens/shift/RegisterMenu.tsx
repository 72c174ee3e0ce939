import { useState } from "preact/hooks";

import { t } from "../../i18n";

export type RegisterTask = "cash" | "close" | "orders";

const TASKS: { task: RegisterTask; label: "menu.cash" | "menu.close" | "menu.orders" }[] = [
  { task: "cash", label: "menu.cash" },
  { task: "orders", label: "menu.orders" },
  { task: "close", label: "menu.close" },
];

/** The register bar's menu: what a cashier does besides selling. A disclosure (a button that
 * shows a list of buttons) so it works by touch, mouse and keyboard alike. */
export function RegisterMenu({ onChoose }: { onChoose: (task: RegisterTask) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <div
      class="register-menu"
      onKeyDown={(event) => {
        if (event.key === "Escape") setOpen(false);
      }}
    >
      <button
        type="button"
        class="secondary"
        aria-expanded={open}
        aria-controls="register-menu-list"
        onClick={() => setOpen(!open)}
      >
        {t("menu.open")}
      </button>
      {open && (
        <ul id="register-menu-list" class="register-menu-list">
          {TASKS.map(({ task, label }) => (
            <li key={task}>
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  setOpen(false);
                  onChoose(task);
                }}
              >
                {t(label)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
