// Read-through keeping of what the register needs to go on selling when the API does not
// answer: the answer of a call while it answers, the kept one when the server is unreachable.
// Only what the register screen needs is kept (its shift, the currency, the items it sells,
// their tax classes and the location's rates, who is signed in at this register).
import { effect } from "@preact/signals";

import { Unreachable } from "../api";
import { online } from "../connection";
import { type PairedRegister, loadPairedRegister, pairedRegister } from "../register";
import { type SignedIn, currentUser, resume } from "../session";
import { keep, kept } from "./store";

/** ``call``'s answer (kept under ``key``), or the kept answer when the server is unreachable. */
export async function cached<T>(key: string, call: () => Promise<T>): Promise<T> {
  try {
    const answer = await call();
    void keep(key, answer);
    return answer;
  } catch (failure) {
    if (!(failure instanceof Unreachable)) throw failure;
    online.value = false;
    const remembered = await kept<T>(key);
    if (remembered === undefined) throw failure;
    return remembered;
  }
}

/** Where the register's open shift is kept. */
export function shiftKey(registerId: string): string {
  return `shift:${registerId}`;
}

const SIGNED_IN = "signed-in";
const PAIRED = "paired-register";

/** Whether the session shown was restored from the device (its CSRF token is not known yet:
 * ask the server again before writing). */
export let restoredOffline = false;

/** Who is signed in and which register this is: the server's answer, or — when it cannot be
 * reached — what the device kept, so the employee signed in goes on selling after a reload. */
export async function resumeOrRestore(): Promise<void> {
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

/** Ask the server for the session again once it answers (a restored session has no CSRF
 * token). False: nobody is signed in any more. */
export async function ensureSession(): Promise<boolean> {
  if (restoredOffline) {
    await resume();
    restoredOffline = false;
  }
  return currentUser.value !== null && currentUser.value !== undefined;
}

/** Keep the employee signed in at this register and the register itself while the server
 * says so; forget them on sign-out. Only an employee at a register is kept (a manager's
 * back office is not an offline screen). */
export function keepWhoIsSignedIn(): void {
  effect(() => {
    const user = currentUser.value;
    const register = pairedRegister.value;
    if (user === undefined || register === undefined) return;
    if (user && user.kind === "employee" && register) {
      void keep(SIGNED_IN, user);
      // The register's employee list is for PIN sign-in, which needs the server anyway.
      void keep(PAIRED, { ...register, employees: [] });
    } else if (user === null) {
      void keep(SIGNED_IN, undefined);
    }
  });
}
