// What the settings pages read and write, all on the public /v1 API.
import { api } from "../../api";
import { currentUser } from "../../session";

export interface Page<T> {
  items: T[];
  total: number;
}

/** Every row of a list (up to the API's largest page: settings lists are short). */
export async function listAll<T>(path: string): Promise<T[]> {
  const joiner = path.includes("?") ? "&" : "?";
  return (await api<Page<T>>("GET", `${path}${joiner}pageSize=200`)).items;
}

export function may(permission: string): boolean {
  return currentUser.value?.permissions.includes(permission) ?? false;
}

export function at(...parts: string[]): string {
  return `/v1/${parts.map(encodeURIComponent).join("/")}`;
}

export interface LocationRow {
  locationId: string;
  name: string;
  timezone: string;
  taxInclusive: boolean;
  allowNegativeStock: boolean;
  active: boolean;
  version: number;
  address: Record<string, string>;
}

export async function allLocations(): Promise<LocationRow[]> {
  return listAll<LocationRow>("/v1/locations");
}

export interface RoleRow {
  roleId: string;
  name: string;
  description: string;
  permissions: string[];
  builtIn: boolean;
  active: boolean;
  version: number;
}

export interface PermissionRow {
  name: string;
  description: string;
}

/** A date-time from the API as the device shows one. */
export function when(iso: string | null): string {
  return iso === null ? "" : new Date(iso).toLocaleString();
}
