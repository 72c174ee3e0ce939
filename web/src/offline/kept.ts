// Read-through keeping of what the register needs to go on selling when the API does not
// answer: the answer of a call while it answers, the kept one when the server is unreachable.
// Only what the register screen needs is kept (its shift, the currency, the items it sells,
// their tax classes and the location's rates, who is signed in at this register).
import { effect, signal } from "@preact/signals";

import { Unreachable, api, nullOn, useCsrfToken } from "../api";
import { online } from "../connection";
import { type PairedRegister, loadPairedRegister, pairedRegister } from "../register";
import { type SignedIn, currentUser, resume, signOut } from "../session";
import { forget, keep, kept } from "./store";

/** ``call``'s answer (kept under ``key``), or the kept answer when the server is unreachable. */
export async function cached<T>(key: string, call: () => Promise<T>): Promise<T> {
  try {
    const answer = await call();
    await keep(key, answer);
    return answer;
  } catch (failure) {
    if (!(failure instanceof Unreachable)) throw failure;
    online.value = false;
    const remembered = await kept<T>(key);
    if (remembered === undefined) throw failure;
    return remembered;
  }
}

/** Where the items of a location's grid are kept. */
export function itemsKey(locationId: string): string {
  return `items:${locationId}`;
}

/** Where the register's open shift is kept. */
export function shiftKey(registerId: string): string {
  return `shift:${registerId}`;
}

const SIGNED_IN = "signed-in";
const PAIRED = "paired-register";

/** Whether the session shown was restored from the device (its CSRF token is not known yet:
 * ask the server again before writing). */
let restoredOffline = false;
/** An employee signed out while the server could not be reached: their session is revoked
 * once it answers (after the sales they rang up are sent with it). */
export const signOutPending = signal(false);
const SIGN_OUT_PENDING = "sign-out-pending";

/** Who is signed in and which register this is: the server's answer, or — when it cannot be
 * reached — what the device kept, so the employee signed in goes on selling after a reload. */
export async function resumeOrRestore(): Promise<void> {
  signOutPending.value = (await kept<boolean>(SIGN_OUT_PENDING)) ?? false;
  if (signOutPending.value) {
    currentUser.value = null; // signed out here; the server hears of it when it answers
    return;
  }
  try {
    await resume();
    restoredOffline = false;
  } catch (failure) {
    if (!(failure instanceof Unreachable)) throw failure;
    online.value = false;
    currentUser.value = (await kept<SignedIn>(SIGNED_IN)) ?? null;
    restoredOffline = currentUser.value !== null;
  }
}

export async function loadPairedRegisterOrRestore(): Promise<void> {
  try {
    await loadPairedRegister();
  } catch (failure) {
    if (!(failure instanceof Unreachable)) throw failure;
    pairedRegister.value = (await kept<PairedRegister>(PAIRED)) ?? null;
  }
}

/** Sign out; with the server out of reach, on the device now and on the server later. */
export async function signOutHere(): Promise<void> {
  try {
    await signOut();
  } catch (failure) {
    if (!(failure instanceof Unreachable)) throw failure;
    online.value = false;
    signOutPending.value = true;
    await keep(SIGN_OUT_PENDING, true);
  }
}

/** Before the outbox writes: the session's CSRF token, asked again when the session on screen
 * was restored from the device or signed out offline. False: no session to send with. */
export async function ensureSession(): Promise<boolean> {
  if (!restoredOffline && !signOutPending.value) return currentUser.value != null;
  const asked = api<{ csrfToken: string }>("GET", "/v1/browser-sessions/current");
  const current = await nullOn(401, asked);
  useCsrfToken(current?.csrfToken ?? null);
  if (restoredOffline) {
    restoredOffline = false;
    if (current === null) currentUser.value = null;
  }
  if (current === null && signOutPending.value) await signedOutOnServer();
  return current !== null;
}

async function signedOutOnServer(): Promise<void> {
  signOutPending.value = false;
  useCsrfToken(null);
  await forget(SIGN_OUT_PENDING);
}

/** Once the outbox is sent: revoke the session of an offline sign-out. */
export async function finishSignOut(): Promise<void> {
  if (!signOutPending.value || !(await ensureSession())) return;
  await api<void>("DELETE", "/v1/browser-sessions/current");
  await signedOutOnServer();
}

/** Keep the employee signed in at this register and the register itself while the server
 * says so; forget them on sign-out. Only an employee at a register is kept (a manager's
 * back office is not an offline screen). */
export function keepWhoIsSignedIn(): void {
  effect(() => {
    const user = currentUser.value;
    const register = pairedRegister.value;
    if (user === undefined || register === undefined) return;
    if (user && signOutPending.peek()) {
      // Someone signed in (the server answered) before the offline sign-out reached it: the
      // new session replaced the old one, which expires on its own.
      void signedOutOnServer();
    }
    if (user && user.kind === "employee" && register) {
      void keep(SIGNED_IN, user);
      void keep(PAIRED, register);
    } else if (user === null) {
      void forget(SIGNED_IN);
    }
  });
}
