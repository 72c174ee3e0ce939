// This device as a register: paired once by a manager (the server keeps the credential in an
// httpOnly cookie), then employees sign in on it by PIN.
import { signal } from "@preact/signals";

import { api, nullOn, useCsrfToken } from "./api";
import { resume } from "./session";

export interface PairedRegister {
  registerId: string;
  locationId: string;
  name: string;
  employees: { employeeId: string; name: string }[];
}

export interface Place {
  id: string;
  name: string;
}

/** undefined: not known yet; null: this device is not a register. */
export const pairedRegister = signal<PairedRegister | null | undefined>(undefined);

export async function loadPairedRegister(): Promise<void> {
  pairedRegister.value = await nullOn(401, api<PairedRegister>("GET", "/v1/paired-register"));
}

interface Page<T> {
  items: T[];
}

export async function locations(): Promise<Place[]> {
  const page = await api<Page<{ locationId: string; name: string }>>(
    "GET",
    "/v1/locations?pageSize=200",
  );
  return page.items.map((l) => ({ id: l.locationId, name: l.name }));
}

export async function registersAt(locationId: string): Promise<Place[]> {
  const page = await api<Page<{ registerId: string; name: string; active: boolean }>>(
    "GET",
    `/v1/locations/${encodeURIComponent(locationId)}/registers?pageSize=200`,
  );
  return page.items.filter((r) => r.active).map((r) => ({ id: r.registerId, name: r.name }));
}

/** Pair this device with the register (a manager is signed in); the cookie is the server's. */
export async function pair(locationId: string, registerId: string): Promise<void> {
  const at = `/v1/locations/${encodeURIComponent(locationId)}/registers/${encodeURIComponent(registerId)}`;
  await api("POST", `${at}/pairing`);
  await loadPairedRegister();
}

export async function pinSignIn(employeeId: string, pin: string): Promise<void> {
  const made = await api<{ csrfToken: string }>("POST", "/v1/paired-register/employee-sessions", {
    employeeId,
    pin,
  });
  useCsrfToken(made.csrfToken);
  await resume();
}
