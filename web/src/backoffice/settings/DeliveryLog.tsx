import { useEffect, useState } from "preact/hooks";

import { api } from "../../api";
import { t } from "../../i18n";
import { NO_PROBLEMS, type Problems, Said, problemsOf } from "./form";
import { at, listAll, when } from "./requests";

interface Attempt {
  attempt: number;
  statusCode: number | null;
  error: string | null;
}

interface Delivery {
  deliveryId: string;
  eventType: string;
  kind: string;
  status: string;
  attemptCount: number;
  createdAt: string;
  redeliveryOf: string | null;
  attempts: Attempt[];
}

/** What the last attempt got back: the receiver's status code, or why there was none. */
function answer(delivery: Delivery): string {
  const last = delivery.attempts[delivery.attempts.length - 1];
  if (last === undefined) return "";
  return last.statusCode !== null ? `HTTP ${last.statusCode}` : (last.error ?? "");
}

/** A webhook's delivery log, newest first, each redeliverable. */
export function DeliveryLog({ webhookId }: { webhookId: string }) {
  const [rows, setRows] = useState<Delivery[] | null>(null);
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [notice, setNotice] = useState<string | null>(null);
  const base = at("webhooks", webhookId, "deliveries");
  const reload = () => listAll<Delivery>(base).then(setRows, (e) => setProblems(problemsOf(e, [])));
  useEffect(() => void reload(), []);

  async function redeliver(delivery: Delivery) {
    setProblems(NO_PROBLEMS);
    setNotice(null);
    try {
      await api("POST", `${base}/${encodeURIComponent(delivery.deliveryId)}/redeliver`);
      setNotice(t("settings.redelivered", { event: delivery.eventType }));
      await reload();
    } catch (e) {
      setProblems(problemsOf(e, []));
    }
  }

  return (
    <div>
      <div class="heading-row">
        <h3>{t("settings.deliveries")}</h3>
        <button class="secondary" type="button" onClick={() => void reload()}>
          {t("settings.refresh")}
        </button>
      </div>
      <Said problems={problems} notice={notice} />
      {rows?.length === 0 && <p class="muted">{t("settings.noDeliveries")}</p>}
      {rows && rows.length > 0 && (
        <table class="settings-table">
          <thead>
            <tr>
              <th scope="col">{t("settings.when")}</th>
              <th scope="col">{t("settings.event")}</th>
              <th scope="col">{t("settings.kind")}</th>
              <th scope="col">{t("settings.status")}</th>
              <th scope="col">{t("settings.answer")}</th>
              <th scope="col">{t("settings.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.deliveryId} data-testid="delivery">
                <td>{when(d.createdAt)}</td>
                <td>{d.eventType}</td>
                <td>{d.kind}</td>
                <td>{d.status}</td>
                <td>{answer(d)}</td>
                <td>
                  <button
                    class="secondary"
                    type="button"
                    aria-label={t("settings.redeliverNamed", { event: d.eventType, when: when(d.createdAt) })}
                    onClick={() => void redeliver(d)}
                  >
                    {t("settings.redeliver")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
