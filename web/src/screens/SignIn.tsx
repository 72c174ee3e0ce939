import { useState } from "preact/hooks";

import { ApiFailure } from "../api";
import { t } from "../i18n";
import { signIn } from "../session";
import { Field } from "../ui/Field";
import { explain } from "../ui/explain";

/** The back office's sign-in: email and password, and the authenticator code when asked. */
export function SignIn({ onRegister }: { onRegister?: () => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [needsCode, setNeedsCode] = useState(false);
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    setWorking(true);
    setError(null);
    try {
      await signIn(email, password, needsCode ? code : undefined);
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.error.code === "MFA_REQUIRED") {
        setNeedsCode(true);
      } else if (failure instanceof ApiFailure && failure.error.status === 401) {
        setError(t("signIn.failed"));
      } else {
        setError(explain(failure));
      }
    } finally {
      setWorking(false);
    }
  }

  return (
    <form class="panel" onSubmit={submit} aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t("signIn.title")}</h1>
      <Field
        id="email"
        label={t("signIn.email")}
        type="email"
        autocomplete="username"
        required
        value={email}
        onValue={setEmail}
      />
      <Field
        id="password"
        label={t("signIn.password")}
        type="password"
        autocomplete="current-password"
        required
        value={password}
        onValue={setPassword}
      />
      {needsCode && (
        <Field
          id="code"
          label={t("signIn.code")}
          inputMode="numeric"
          autocomplete="one-time-code"
          required
          value={code}
          onValue={setCode}
        />
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button class="primary" type="submit" disabled={working}>
        {working ? t("signIn.working") : t("signIn.submit")}
      </button>
      {onRegister && (
        <button class="link" type="button" onClick={onRegister}>
          {t("signIn.toRegister")}
        </button>
      )}
    </form>
  );
}
