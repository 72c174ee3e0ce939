import { useEffect, useState } from "preact/hooks";

import { api } from "../../api";
import { t } from "../../i18n";
import { loadPairedRegister, pairedRegister } from "../../register";
import { ChoiceList, Form, NO_PROBLEMS, type Problems, Said, SelectField, TextField, problemsOf } from "./form";
import { type LocationRow, type RoleRow, allLocations, at, listAll, may } from "./requests";
import type { SettingsPageProps } from "./SettingsSection";

interface EmployeeRow {
  employeeId: string;
  name: string;
  email: string | null;
  roleId: string;
  locationIds: string[];
  hasPin: boolean;
  active: boolean;
  version: number;
}

const FIELDS = ["name", "email", "roleId", "locationIds", "pin"];

/** Who works the registers: their role, where they work, their PIN; deactivated ones leave. */
export function EmployeesPage(_props: SettingsPageProps) {
  const [rows, setRows] = useState<EmployeeRow[] | null>(null);
  const [roles, setRoles] = useState<RoleRow[]>([]);
  const [places, setPlaces] = useState<LocationRow[]>([]);
  const [editing, setEditing] = useState<EmployeeRow | null>(null);
  // A new form (empty fields) after each save.
  const [saves, setSaves] = useState(0);
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [notice, setNotice] = useState<string | null>(null);
  const mayWrite = may("staff:write");

  async function reload() {
    // A register paired with this device lists who may PIN in on it: keep that list current.
    if (pairedRegister.value) void loadPairedRegister().catch(() => undefined);
    const [employees, roleRows, locationRows] = await Promise.all([
      listAll<EmployeeRow>("/v1/employees"),
      listAll<RoleRow>("/v1/roles"),
      may("settings:read") ? allLocations() : Promise.resolve([]),
    ]);
    setRows(employees);
    setRoles(roleRows.filter((r) => r.active));
    setPlaces(locationRows);
  }
  useEffect(() => {
    reload().catch((e) => setProblems(problemsOf(e, [])));
  }, []);

  const roleName = (id: string) => roles.find((r) => r.roleId === id)?.name ?? id;
  const placeNames = (ids: string[]) =>
    ids.length === 0 ? t("settings.everyLocation") : ids.map((id) => places.find((p) => p.locationId === id)?.name ?? id).join(", ");

  async function deactivate(employee: EmployeeRow) {
    setProblems(NO_PROBLEMS);
    try {
      await api("DELETE", at("employees", employee.employeeId));
      setNotice(t("settings.deactivated", { name: employee.name }));
      await reload();
    } catch (e) {
      setProblems(problemsOf(e, []));
    }
  }

  return (
    <div>
      <h2>{t("settings.employees")}</h2>
      <Said problems={problems} notice={notice} />
      <table class="settings-table">
        <thead>
          <tr>
            <th scope="col">{t("settings.name")}</th>
            <th scope="col">{t("settings.role")}</th>
            <th scope="col">{t("settings.worksAt")}</th>
            <th scope="col">{t("settings.pin")}</th>
            <th scope="col">{t("settings.actions")}</th>
          </tr>
        </thead>
        <tbody>
          {rows?.map((e) => (
            <tr key={e.employeeId} class={e.active ? undefined : "inactive"}>
              <td>{e.name}</td>
              <td>{roleName(e.roleId)}</td>
              <td>{placeNames(e.locationIds)}</td>
              <td>{e.hasPin ? t("settings.pinSet") : t("settings.pinNone")}</td>
              <td class="row-actions">
                {!e.active && <span class="tag">{t("settings.inactive")}</span>}
                {mayWrite && (
                  <button class="secondary" type="button" aria-label={t("settings.editNamed", { name: e.name })} onClick={() => setEditing(e)}>
                    {t("settings.edit")}
                  </button>
                )}
                {mayWrite && e.active && (
                  <button
                    class="secondary"
                    type="button"
                    aria-label={t("settings.deactivateNamed", { name: e.name })}
                    onClick={() => void deactivate(e)}
                  >
                    {t("settings.deactivate")}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {mayWrite && roles.length > 0 && (
        <EmployeeForm
          key={`${editing?.employeeId ?? "new"}-${saves}`}
          employee={editing}
          roles={roles}
          places={places}
          onDone={(said) => {
            setEditing(null);
            setSaves((n) => n + 1);
            setNotice(said);
            void reload();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
    </div>
  );
}

function EmployeeForm(props: {
  employee: EmployeeRow | null;
  roles: RoleRow[];
  places: LocationRow[];
  onDone: (said: string) => void;
  onCancel: () => void;
}) {
  const { employee, roles, places, onDone, onCancel } = props;
  const cashier = roles.find((r) => r.name === "cashier") ?? roles[0];
  const [name, setName] = useState(employee?.name ?? "");
  const [email, setEmail] = useState(employee?.email ?? "");
  const [roleId, setRoleId] = useState(employee?.roleId ?? cashier.roleId);
  const [locationIds, setLocationIds] = useState<string[]>(employee?.locationIds ?? []);
  const [pin, setPin] = useState("");
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const title = employee ? t("settings.editNamed", { name: employee.name }) : t("settings.employeeNew");

  async function save() {
    setProblems(NO_PROBLEMS);
    const body: Record<string, unknown> = { name, email: email || null, roleId, locationIds };
    if (pin) body.pin = pin;
    try {
      if (employee) {
        await api("PATCH", at("employees", employee.employeeId), { ...body, version: employee.version });
        onDone(t("settings.savedNamed", { name }));
      } else {
        await api("POST", "/v1/employees", body);
        onDone(t("settings.added", { name }));
      }
    } catch (e) {
      setProblems(problemsOf(e, FIELDS));
    }
  }

  return (
    <Form label={title} onSubmit={() => void save()}>
      <h3>{title}</h3>
      <Said problems={problems} />
      <div class="form-grid">
        <TextField id="employee-name" label={t("settings.name")} value={name} onValue={setName} error={problems.fields.name} />
        <TextField id="employee-email" label={t("settings.emailOptional")} type="email" value={email} onValue={setEmail} error={problems.fields.email} />
        <SelectField
          id="employee-role"
          label={t("settings.role")}
          value={roleId}
          onValue={setRoleId}
          options={roles.map((r) => ({ value: r.roleId, label: r.name }))}
          error={problems.fields.roleId}
        />
        <TextField
          id="employee-pin"
          label={employee?.hasPin ? t("settings.pinReset") : t("settings.pinNew")}
          type="password"
          inputMode="numeric"
          autocomplete="new-password"
          value={pin}
          onValue={setPin}
          error={problems.fields.pin}
        />
      </div>
      {places.length > 0 && (
        <ChoiceList
          legend={t("settings.worksAt")}
          hint={t("settings.noneIsEvery")}
          choices={places.map((p) => ({ value: p.locationId, label: p.name }))}
          chosen={locationIds}
          onChosen={setLocationIds}
          error={problems.fields.locationIds}
        />
      )}
      <div class="actions">
        <button type="submit">{employee ? t("settings.save") : t("settings.addEmployee")}</button>
        {employee && (
          <button class="secondary" type="button" onClick={onCancel}>
            {t("common.cancel")}
          </button>
        )}
      </div>
    </Form>
  );
}
