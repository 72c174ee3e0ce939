import { useEffect, useState } from "preact/hooks";

import { api, nullOn } from "../../api";
import { t } from "../../i18n";
import { currentUser } from "../../session";
import { ChoiceList, Form, NO_PROBLEMS, type Problems, Said, TextField, problemsOf } from "./form";
import { type PermissionRow, at, listAll, when } from "./requests";
import type { SettingsPageProps } from "./SettingsSection";
import { ShownOnce } from "./ShownOnce";

interface ApiKeyRow {
  apiKeyId: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
}

/** API keys for integrations: made with the scopes they need, the key shown once; revoked
 * when no longer wanted. */
export function ApiKeysPage(_props: SettingsPageProps) {
  const [rows, setRows] = useState<ApiKeyRow[] | null>(null);
  const [described, setDescribed] = useState<PermissionRow[] | null>(null);
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [notice, setNotice] = useState<string | null>(null);
  const [made, setMade] = useState<string | null>(null);
  const reload = () => listAll<ApiKeyRow>("/v1/api-keys").then(setRows);
  useEffect(() => {
    reload().catch((e) => setProblems(problemsOf(e, [])));
    // The permissions' descriptions need staff:read; without it the names alone are shown.
    nullOn(403, api<PermissionRow[]>("GET", "/v1/permissions")).then(setDescribed, () => setDescribed(null));
  }, []);

  async function revoke(key: ApiKeyRow) {
    setProblems(NO_PROBLEMS);
    setNotice(null);
    try {
      await api("DELETE", at("api-keys", key.apiKeyId));
      setNotice(t("settings.revoked", { name: key.name }));
      await reload();
    } catch (e) {
      setProblems(problemsOf(e, []));
    }
  }

  // A key can be given only what its maker holds.
  const mine = currentUser.value?.permissions ?? [];
  const scopes = mine.map((name) => {
    const description = described?.find((p) => p.name === name)?.description;
    return { value: name, label: description ? `${description} (${name})` : name };
  });
  return (
    <div>
      <h2>{t("settings.apiKeys")}</h2>
      <Said problems={problems} notice={notice} />
      {made && <ShownOnce id="api-key-made" label={t("settings.newKey")} value={made} />}
      <table class="settings-table">
        <thead>
          <tr>
            <th scope="col">{t("settings.name")}</th>
            <th scope="col">{t("settings.keyStarts")}</th>
            <th scope="col">{t("settings.scopes")}</th>
            <th scope="col">{t("settings.created")}</th>
            <th scope="col">{t("settings.actions")}</th>
          </tr>
        </thead>
        <tbody>
          {rows?.map((k) => (
            <tr key={k.apiKeyId} class={k.revokedAt ? "inactive" : undefined} data-testid="api-key">
              <td>{k.name}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>{k.scopes.join(", ")}</td>
              <td>{when(k.createdAt)}</td>
              <td>
                {k.revokedAt ? (
                  <span class="tag">{t("settings.revokedAt", { when: when(k.revokedAt) })}</span>
                ) : (
                  <button
                    class="secondary"
                    type="button"
                    aria-label={t("settings.revokeNamed", { name: k.name })}
                    onClick={() => void revoke(k)}
                  >
                    {t("settings.revoke")}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <NewKey
        scopes={scopes}
        onMade={(key) => {
          setMade(key);
          setNotice(null);
          void reload();
        }}
      />
    </div>
  );
}

function NewKey({ scopes, onMade }: { scopes: { value: string; label: string }[]; onMade: (key: string) => void }) {
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  async function add() {
    setProblems(NO_PROBLEMS);
    try {
      const made = await api<{ key: string | null }>("POST", "/v1/api-keys", { name, scopes: chosen });
      setName("");
      setChosen([]);
      onMade(made.key ?? "");
    } catch (e) {
      setProblems(problemsOf(e, ["name", "scopes"]));
    }
  }
  return (
    <Form label={t("settings.apiKeyNew")} onSubmit={() => void add()}>
      <h3>{t("settings.apiKeyNew")}</h3>
      <Said problems={problems} />
      <TextField id="api-key-name" label={t("settings.name")} value={name} onValue={setName} error={problems.fields.name} />
      <ChoiceList legend={t("settings.scopes")} choices={scopes} chosen={chosen} onChosen={setChosen} error={problems.fields.scopes} />
      <button type="submit">{t("settings.addApiKey")}</button>
    </Form>
  );
}
