// Who is signed in on this device. The session itself is the server's httpOnly cookie; the
// app keeps only who it is and the CSRF token its writes must carry (in memory, never in
// localStorage or sessionStorage).
import { signal } from "@preact/signals";

import { api, nullOn, useCsrfToken } from "./api";

export interface SignedIn {
  kind: "user" | "employee";
  principalId: string;
  name: string;
  permissions: string[];
  locationIds: string[] | null;
  registerId: string | null;
}

interface Current extends SignedIn {
  csrfToken: string;
}

/** undefined: not known yet (the app is asking); null: nobody is signed in. */
export const currentUser = signal<SignedIn | null | undefined>(undefined);

/** Ask the server whether this device's cookie is a live session (401: nobody is signed in). */
export async function resume(): Promise<void> {
  const current = await nullOn(401, api<Current>("GET", "/v1/browser-sessions/current"));
  useCsrfToken(current?.csrfToken ?? null);
  if (current === null) {
    currentUser.value = null;
    return;
  }
  const { csrfToken: _, ...who } = current;
  currentUser.value = who;
}

export async function signIn(username: string, password: string, mfa?: string): Promise<void> {
  const body: Record<string, string> = { username, password };
  if (mfa) body.mfa = mfa;
  const made = await api<{ csrfToken: string }>("POST", "/v1/browser-sessions", body);
  useCsrfToken(made.csrfToken);
  await resume();
}

export async function signOut(): Promise<void> {
  try {
    await api<void>("DELETE", "/v1/browser-sessions/current");
  } finally {
    useCsrfToken(null);
    currentUser.value = null;
  }
}
