import { useEffect, useState } from "preact/hooks";

import { api } from "../../api";
import { t } from "../../i18n";
import { ChoiceList, Form, NO_PROBLEMS, type Problems, Said, SelectField, TextField, problemsOf } from "./form";
import { type LocationRow, type PermissionRow, type RoleRow, allLocations, at, listAll, may } from "./requests";
import type { SettingsPageProps } from "./SettingsSection";

interface UserRow {
  userId: string;
  email: string;
  name: string;
  roleId: string;
  active: boolean;
  version: number;
}

/** People who sign in with an email (the back office, the API), and the roles that say what
 * anyone — user or employee — may do. */
export function UsersPage(_props: SettingsPageProps) {
  const [users, setUsers] = useState<UserRow[] | null>(null);
  const [roles, setRoles] = useState<RoleRow[]>([]);
  const [permissions, setPermissions] = useState<PermissionRow[]>([]);
  const [places, setPlaces] = useState<LocationRow[]>([]);
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [notice, setNotice] = useState<string | null>(null);
  const [editingRole, setEditingRole] = useState<RoleRow | null>(null);
  // New forms (empty fields) after each save.
  const [saves, setSaves] = useState(0);
  const mayWrite = may("staff:write");

  async function reload() {
    const [userRows, roleRows, permissionRows, locationRows] = await Promise.all([
      listAll<UserRow>("/v1/users"),
      listAll<RoleRow>("/v1/roles"),
      api<PermissionRow[]>("GET", "/v1/permissions"),
      may("settings:read") ? allLocations() : Promise.resolve([]),
    ]);
    setUsers(userRows);
    setRoles(roleRows);
    setPermissions(permissionRows);
    setPlaces(locationRows);
  }
  useEffect(() => {
    reload().catch((e) => setProblems(problemsOf(e, [])));
  }, []);

  async function act(work: Promise<unknown>, said: string) {
    setProblems(NO_PROBLEMS);
    try {
      await work;
      setNotice(said);
      await reload();
    } catch (e) {
      setProblems(problemsOf(e, []));
    }
  }

  const done = (said: string) => {
    setNotice(said);
    setEditingRole(null);
    setSaves((n) => n + 1);
    void reload();
  };
  const roleName = (id: string) => roles.find((r) => r.roleId === id)?.name ?? id;
  return (
    <div>
      <h2>{t("settings.users")}</h2>
      <Said problems={problems} notice={notice} />
      <ul class="rows">
        {users?.map((u) => (
          <li key={u.userId}>
            <span class="row-name">{u.name}</span>
            <span class="muted">{u.email}</span>
            <span>{roleName(u.roleId)}</span>
            {!u.active && <span class="tag">{t("settings.inactive")}</span>}
            {mayWrite && u.active && (
              <button
                class="secondary"
                type="button"
                aria-label={t("settings.deactivateNamed", { name: u.name })}
                onClick={() =>
                  void act(api("PATCH", at("users", u.userId), { active: false, version: u.version }), t("settings.deactivated", { name: u.name }))
                }
              >
                {t("settings.deactivate")}
              </button>
            )}
          </li>
        ))}
      </ul>
      {mayWrite && roles.length > 0 && <UserForm key={saves} roles={roles.filter((r) => r.active)} places={places} onDone={done} />}

      <h2>{t("settings.roles")}</h2>
      <ul class="rows roles">
        {roles.map((r) => (
          <li key={r.roleId}>
            <span class="row-name">{r.name}</span>
            <span class="muted">{r.builtIn ? t("settings.builtIn") : r.description}</span>
            <span class="permissions">{r.permissions.join(", ")}</span>
            {mayWrite && !r.builtIn && r.active && (
              <span class="row-actions">
                <button class="secondary" type="button" aria-label={t("settings.editNamed", { name: r.name })} onClick={() => setEditingRole(r)}>
                  {t("settings.edit")}
                </button>
                <button
                  class="secondary"
                  type="button"
                  aria-label={t("settings.archiveNamed", { name: r.name })}
                  onClick={() => void act(api("DELETE", at("roles", r.roleId)), t("settings.saved"))}
                >
                  {t("settings.archive")}
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
      {mayWrite && permissions.length > 0 && (
        <RoleForm key={`${editingRole?.roleId ?? "new"}-${saves}`} role={editingRole} permissions={permissions} onDone={done} />
      )}
    </div>
  );
}

function UserForm(props: { roles: RoleRow[]; places: LocationRow[]; onDone: (said: string) => void }) {
  const { roles, places, onDone } = props;
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [roleId, setRoleId] = useState((roles.find((r) => r.name === "manager") ?? roles[0]).roleId);
  const [locationIds, setLocationIds] = useState<string[]>([]);
  const [mine, setMine] = useState("");
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  async function save() {
    setProblems(NO_PROBLEMS);
    try {
      await api("POST", "/v1/users", { name, email, password, roleId, locationIds, currentPassword: mine });
      onDone(t("settings.added", { name }));
    } catch (e) {
      setProblems(problemsOf(e, ["name", "email", "password", "roleId", "locationIds", "currentPassword"]));
    }
  }
  return (
    <Form label={t("settings.userNew")} onSubmit={() => void save()}>
      <h3>{t("settings.userNew")}</h3>
      <Said problems={problems} />
      <div class="form-grid">
        <TextField id="user-name" label={t("settings.name")} value={name} onValue={setName} error={problems.fields.name} />
        <TextField id="user-email" label={t("settings.email")} type="email" value={email} onValue={setEmail} error={problems.fields.email} />
        <TextField
          id="user-password"
          label={t("settings.theirPassword")}
          type="password"
          autocomplete="new-password"
          value={password}
          onValue={setPassword}
          error={problems.fields.password}
        />
        <SelectField
          id="user-role"
          label={t("settings.role")}
          value={roleId}
          onValue={setRoleId}
          options={roles.map((r) => ({ value: r.roleId, label: r.name }))}
          error={problems.fields.roleId}
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
      <TextField
        id="user-current-password"
        label={t("settings.yourPassword")}
        type="password"
        autocomplete="current-password"
        value={mine}
        onValue={setMine}
        error={problems.fields.currentPassword}
      />
      <button type="submit">{t("settings.addUser")}</button>
    </Form>
  );
}

function RoleForm(props: { role: RoleRow | null; permissions: PermissionRow[]; onDone: (said: string) => void }) {
  const { role, permissions, onDone } = props;
  const [name, setName] = useState(role?.name ?? "");
  const [description, setDescription] = useState(role?.description ?? "");
  const [chosen, setChosen] = useState<string[]>(role?.permissions ?? []);
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const title = role ? t("settings.editNamed", { name: role.name }) : t("settings.roleNew");
  async function save() {
    setProblems(NO_PROBLEMS);
    const body = { name, description, permissions: chosen };
    try {
      if (role) await api("PATCH", at("roles", role.roleId), { ...body, version: role.version });
      else await api("POST", "/v1/roles", body);
      onDone(t("settings.savedNamed", { name }));
    } catch (e) {
      setProblems(problemsOf(e, ["name", "description", "permissions"]));
    }
  }
  return (
    <Form label={title} onSubmit={() => void save()}>
      <h3>{title}</h3>
      <Said problems={problems} />
      <div class="form-grid">
        <TextField id="role-name" label={t("settings.name")} value={name} onValue={setName} error={problems.fields.name} />
        <TextField id="role-description" label={t("settings.description")} value={description} onValue={setDescription} error={problems.fields.description} />
      </div>
      <ChoiceList
        legend={t("settings.permissions")}
        choices={permissions.map((p) => ({ value: p.name, label: `${p.description} (${p.name})` }))}
        chosen={chosen}
        onChosen={setChosen}
        error={problems.fields.permissions}
      />
      <button type="submit">{role ? t("settings.save") : t("settings.addRole")}</button>
    </Form>
  );
}
