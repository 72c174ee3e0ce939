import { useEffect, useState } from "preact/hooks";

import { api } from "../../api";
import { t } from "../../i18n";
import { loadPairedRegister, pair, pairedRegister } from "../../register";
import { Form, NO_PROBLEMS, type Problems, Said, TextField, problemsOf } from "./form";
import { at, listAll, may, when } from "./requests";

interface RegisterRow {
  registerId: string;
  name: string;
  active: boolean;
  version: number;
}

interface Credential {
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** When the register's device was paired, if it is (its live credential); null if not. */
async function pairedSince(locationId: string, registerId: string): Promise<string | null> {
  const credentials = await listAll<Credential>(at("locations", locationId, "registers", registerId, "credentials"));
  return credentials.find((c) => c.revokedAt === null)?.createdAt ?? null;
}

/** A location's registers: add, rename, archive; pair this device with one, or unpair one. */
export function RegistersPanel({ locationId }: { locationId: string }) {
  const [rows, setRows] = useState<RegisterRow[] | null>(null);
  const [paired, setPaired] = useState<Record<string, string | null>>({});
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [notice, setNotice] = useState<string | null>(null);
  const mayPair = may("registers:pair");
  const mayWrite = may("settings:write");
  const base = at("locations", locationId, "registers");

  async function reload() {
    const registers = await listAll<RegisterRow>(base);
    setRows(registers);
    if (!mayPair) return;
    const since = await Promise.all(registers.map((r) => pairedSince(locationId, r.registerId)));
    setPaired(Object.fromEntries(registers.map((r, i) => [r.registerId, since[i]])));
  }

  async function act(work: () => Promise<unknown>, done: string) {
    setProblems(NO_PROBLEMS);
    setNotice(null);
    try {
      await work();
      setNotice(done);
      await reload();
    } catch (e) {
      setProblems(problemsOf(e, ["name"]));
    }
  }

  useEffect(() => {
    reload().catch((e) => setProblems(problemsOf(e, [])));
  }, [locationId]);

  const here = pairedRegister.value?.registerId;
  return (
    <div>
      <h3>{t("settings.registers")}</h3>
      <Said problems={problems} notice={notice} />
      <ul class="rows">
        {rows?.map((r) => (
          <li key={r.registerId} data-testid="register-row">
            <RegisterName register={r} base={base} editable={mayWrite} onRenamed={reload} />
            {!r.active && <span class="tag">{t("settings.archived")}</span>}
            {mayPair && r.active && (
              <span class="muted">
                {r.registerId === here
                  ? t("settings.pairedHere")
                  : paired[r.registerId]
                    ? t("settings.pairedSince", { when: when(paired[r.registerId] ?? null) })
                    : t("settings.notPaired")}
              </span>
            )}
            <span class="row-actions">
              {mayPair && r.active && r.registerId !== here && (
                <button
                  type="button"
                  aria-label={t("settings.pairHereNamed", { name: r.name })}
                  onClick={() => void act(() => pair(locationId, r.registerId), t("settings.pairedNow", { name: r.name }))}
                >
                  {t("settings.pairHere")}
                </button>
              )}
              {mayPair && r.active && (r.registerId === here || paired[r.registerId]) && (
                <button
                  class="secondary"
                  type="button"
                  aria-label={t("settings.unpairNamed", { name: r.name })}
                  onClick={() =>
                    void act(async () => {
                      await api("DELETE", `${base}/${encodeURIComponent(r.registerId)}/pairing`);
                      await loadPairedRegister();
                    }, t("settings.unpairedNow", { name: r.name }))
                  }
                >
                  {t("settings.unpair")}
                </button>
              )}
              {mayWrite && (
                <button
                  class="secondary"
                  type="button"
                  aria-label={t(r.active ? "settings.archiveNamed" : "settings.restoreNamed", { name: r.name })}
                  onClick={() =>
                    void act(async () => {
                      await api("PATCH", `${base}/${encodeURIComponent(r.registerId)}`, {
                        active: !r.active,
                        version: r.version,
                      });
                      await loadPairedRegister();
                    }, t("settings.saved"))
                  }
                >
                  {r.active ? t("settings.archive") : t("settings.restore")}
                </button>
              )}
            </span>
          </li>
        ))}
      </ul>
      {rows?.length === 0 && <p class="muted">{t("pair.noRegisters")}</p>}
      {mayWrite && <NewRegister base={base} onAdded={reload} />}
    </div>
  );
}

function RegisterName(props: { register: RegisterRow; base: string; editable: boolean; onRenamed: () => Promise<void> }) {
  const { register, base, editable, onRenamed } = props;
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(register.name);
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  if (!editing) {
    return (
      <span class="row-name">
        {register.name}
        {editable && (
          <button
            class="secondary"
            type="button"
            aria-label={t("settings.renameNamed", { name: register.name })}
            onClick={() => setEditing(true)}
          >
            {t("settings.rename")}
          </button>
        )}
      </span>
    );
  }
  async function save() {
    try {
      await api("PATCH", `${base}/${encodeURIComponent(register.registerId)}`, { name, version: register.version });
      setEditing(false);
      await onRenamed();
    } catch (e) {
      setProblems(problemsOf(e, ["name"]));
    }
  }
  return (
    <Form label={t("settings.renameNamed", { name: register.name })} onSubmit={() => void save()}>
      <Said problems={problems} />
      <TextField
        id={`rename-${register.registerId}`}
        label={t("settings.newName")}
        value={name}
        onValue={setName}
        error={problems.fields.name}
      />
      <div class="actions">
        <button type="submit">{t("settings.save")}</button>
        <button class="secondary" type="button" onClick={() => setEditing(false)}>
          {t("common.cancel")}
        </button>
      </div>
    </Form>
  );
}

function NewRegister({ base, onAdded }: { base: string; onAdded: () => Promise<void> }) {
  const [name, setName] = useState("");
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  async function add() {
    setProblems(NO_PROBLEMS);
    try {
      await api("POST", base, { name });
      setName("");
      await onAdded();
    } catch (e) {
      setProblems(problemsOf(e, ["name"]));
    }
  }
  return (
    <Form label={t("settings.registerNew")} onSubmit={() => void add()}>
      <Said problems={problems} />
      <TextField id="register-new-name" label={t("settings.registerName")} value={name} onValue={setName} error={problems.fields.name} />
      <button type="submit">{t("settings.addRegister")}</button>
    </Form>
  );
}
