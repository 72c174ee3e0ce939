import { online } from "../connection";
import { t } from "../i18n";

/** The app's name and, always in sight, whether the server answers. */
export function StatusBar() {
  const isOnline = online.value;
  return (
    <header class="status-bar">
      <span class="brand">{t("app.name")}</span>
      <span
        class={isOnline ? "connection online" : "connection offline"}
        role="status"
        aria-live="polite"
        data-testid="connection"
      >
        {isOnline ? t("connection.online") : t("connection.offline")}
      </span>
    </header>
  );
}
