// One request at a time from a form: its busy flag and what to tell the person if it fails.
import { useState } from "preact/hooks";

import { ApiFailure } from "../../api";
import { explain } from "../../ui/explain";

/** What went wrong, with the fields the server named (a form's person needs to know which). */
function explainWithFields(failure: unknown): string {
  const said = explain(failure);
  if (!(failure instanceof ApiFailure) || failure.error.status >= 500) return said;
  const fields = failure.error.details.map((d) => (d.field ? `${d.field}: ${d.message}` : d.message));
  return fields.length > 0 ? `${said} ${fields.join("; ")}` : said;
}

export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (work: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await work();
      return true;
    } catch (failure) {
      setError(explainWithFields(failure));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

export function Alert({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}
