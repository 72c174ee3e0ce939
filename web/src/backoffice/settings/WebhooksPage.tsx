import { useEffect, useState } from "preact/hooks";

import { api } from "../../api";
import { t } from "../../i18n";
import { href } from "../route";
import { DeliveryLog } from "./DeliveryLog";
import { Form, NO_PROBLEMS, type Problems, Said, TextField, problemsOf } from "./form";
import { at, listAll } from "./requests";
import type { SettingsPageProps } from "./SettingsSection";
import { ShownOnce } from "./ShownOnce";

export interface WebhookRow {
  webhookId: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  active: boolean;
  disabledReason: string | null;
  version: number;
}

/** Webhook subscriptions: the list, a new one (its signing secret shown once), and one opened
 * with its delivery log. */
export function WebhooksPage({ path }: SettingsPageProps) {
  const [rows, setRows] = useState<WebhookRow[] | null>(null);
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [secret, setSecret] = useState<string | null>(null);
  const reload = () => listAll<WebhookRow>("/v1/webhooks").then(setRows);
  useEffect(() => {
    reload().catch((e) => setProblems(problemsOf(e, [])));
  }, []);
  const open = rows?.find((w) => w.webhookId === path[0]);
  if (open) return <WebhookPage key={open.webhookId} webhook={open} onChanged={reload} />;
  return (
    <div>
      <h2>{t("settings.webhooks")}</h2>
      <Said problems={problems} />
      <ul class="rows">
        {rows?.map((w) => (
          <li key={w.webhookId}>
            <a href={href(["settings", "webhooks", w.webhookId])}>{w.url}</a>
            <span class="muted">{w.eventTypes.join(", ")}</span>
            {!w.active && <span class="tag">{w.disabledReason ?? t("settings.inactive")}</span>}
          </li>
        ))}
      </ul>
      {rows?.length === 0 && <p class="muted">{t("settings.noWebhooks")}</p>}
      {secret && <ShownOnce id="webhook-secret" label={t("settings.signingSecret")} value={secret} />}
      <NewWebhook
        onMade={(made) => {
          setSecret(made);
          void reload();
        }}
      />
    </div>
  );
}

function NewWebhook({ onMade }: { onMade: (secret: string) => void }) {
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState("");
  const [description, setDescription] = useState("");
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  async function add() {
    setProblems(NO_PROBLEMS);
    const eventTypes = events.split(/[\s,]+/).filter(Boolean);
    try {
      const made = await api<{ secret: string | null }>("POST", "/v1/webhooks", {
        url,
        eventTypes,
        description: description || null,
      });
      setUrl("");
      setEvents("");
      setDescription("");
      onMade(made.secret ?? "");
    } catch (e) {
      setProblems(problemsOf(e, ["url", "eventTypes", "description"]));
    }
  }
  return (
    <Form label={t("settings.webhookNew")} onSubmit={() => void add()}>
      <h3>{t("settings.webhookNew")}</h3>
      <Said problems={problems} />
      <TextField id="webhook-url" label={t("settings.webhookUrl")} type="url" inputMode="url" value={url} onValue={setUrl} error={problems.fields.url} />
      <TextField id="webhook-events" label={t("settings.webhookEvents")} value={events} onValue={setEvents} error={problems.fields.eventTypes} />
      <p class="muted">{t("settings.webhookEventsHint")}</p>
      <TextField
        id="webhook-description"
        label={t("settings.descriptionOptional")}
        value={description}
        onValue={setDescription}
        error={problems.fields.description}
      />
      <button type="submit">{t("settings.addWebhook")}</button>
    </Form>
  );
}

function WebhookPage({ webhook, onChanged }: { webhook: WebhookRow; onChanged: () => Promise<void> }) {
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [notice, setNotice] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [logVersion, setLogVersion] = useState(0);
  const path = at("webhooks", webhook.webhookId);

  async function act(work: () => Promise<string>) {
    setProblems(NO_PROBLEMS);
    setNotice(null);
    try {
      setNotice(await work());
      setLogVersion((v) => v + 1);
      await onChanged();
    } catch (e) {
      setProblems(problemsOf(e, []));
    }
  }

  return (
    <div>
      <a class="back" href={href(["settings", "webhooks"])}>
        {t("settings.allWebhooks")}
      </a>
      <h2>{webhook.url}</h2>
      <p class="muted">{webhook.eventTypes.join(", ")}</p>
      {!webhook.active && <p class="tag">{webhook.disabledReason ?? t("settings.inactive")}</p>}
      <Said problems={problems} notice={notice} />
      <div class="actions">
        <button type="button" onClick={() => void act(async () => (await api("POST", `${path}/test`), t("settings.testSent")))}>
          {t("settings.sendTest")}
        </button>
        <button
          class="secondary"
          type="button"
          onClick={() =>
            void act(async () => {
              const made = await api<{ secret: string | null }>("POST", `${path}/rotate-secret`);
              setSecret(made.secret);
              return t("settings.secretRotated");
            })
          }
        >
          {t("settings.rotateSecret")}
        </button>
        {!webhook.active && (
          <button
            class="secondary"
            type="button"
            onClick={() =>
              void act(async () => (await api("PATCH", path, { active: true, version: webhook.version }), t("settings.saved")))
            }
          >
            {t("settings.enable")}
          </button>
        )}
        <button
          class="secondary"
          type="button"
          onClick={() =>
            void act(async () => {
              await api("DELETE", path);
              window.location.hash = href(["settings", "webhooks"]);
              return t("settings.saved");
            })
          }
        >
          {t("settings.delete")}
        </button>
      </div>
      {secret && <ShownOnce id="webhook-secret" label={t("settings.signingSecret")} value={secret} />}
      <DeliveryLog key={logVersion} webhookId={webhook.webhookId} />
    </div>
  );
}
