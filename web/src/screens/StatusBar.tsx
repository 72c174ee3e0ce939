import { online } from "../connection";
import { t } from "../i18n";
import { RefusedSales } from "../offline/RefusedSales";
import { salesWaiting } from "../offline/outbox";

/** The app's name and, always in sight, whether the server answers and how many sales wait
 * to be sent; below it, any sale the server refused, until the cashier acknowledges it. */
export function StatusBar() {
  const isOnline = online.value;
  const waiting = salesWaiting.value;
  return (
    <>
      <header class="status-bar">
        <span class="brand">{t("app.name")}</span>
        <span class="status-right">
          {waiting > 0 && (
            <span class="waiting" role="status" data-testid="sales-waiting">
              {waiting === 1 ? t("offline.oneWaiting") : t("connection.waiting", { count: waiting })}
            </span>
          )}
          <span
            class={isOnline ? "connection online" : "connection offline"}
            role="status"
            aria-live="polite"
            data-testid="connection"
          >
            {isOnline ? t("connection.online") : t("connection.offline")}
          </span>
        </span>
      </header>
      <RefusedSales />
    </>
  );
}
