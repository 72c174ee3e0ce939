import { useEffect, useState } from "preact/hooks";

import { BackOffice } from "./backoffice/BackOffice";
import { loadPairedRegisterOrRestore, resumeOrRestore } from "./offline/kept";
import { pairedRegister } from "./register";
import { PinSignIn } from "./screens/PinSignIn";
import { Register } from "./screens/Register";
import { SignIn } from "./screens/SignIn";
import { StatusBar } from "./screens/StatusBar";
import { currentUser } from "./session";

export function App() {
  const [managerSignIn, setManagerSignIn] = useState(false);
  useEffect(() => {
    void resumeOrRestore().catch(() => {
      currentUser.value = null;
    });
    void loadPairedRegisterOrRestore().catch(() => {
      pairedRegister.value = null;
    });
  }, []);
  const user = currentUser.value;
  const register = pairedRegister.value;
  const nobodySignedIn = user === null;
  useEffect(() => {
    // The PIN screen lists who works here: read it again each time it comes up, so someone
    // added since the device was paired can sign in without a reload.
    if (nobodySignedIn) void loadPairedRegisterOrRestore().catch(() => undefined);
  }, [nobodySignedIn]);
  let screen = null;
  if (user && user.kind === "employee" && register) {
    screen = <Register user={user} register={register} />;
  } else if (user) {
    screen = <BackOffice user={user} />;
  } else if (user === null && register !== undefined) {
    screen =
      register && !managerSignIn ? (
        <PinSignIn register={register} onManager={() => setManagerSignIn(true)} />
      ) : (
        <SignIn onRegister={register ? () => setManagerSignIn(false) : undefined} />
      );
  }
  return (
    <div class="shell">
      <StatusBar />
      <main class="screen">{screen}</main>
    </div>
  );
}
