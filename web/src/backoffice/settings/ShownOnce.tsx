import { useState } from "preact/hooks";

import { t } from "../../i18n";

/** A secret the server shows only in this answer (an API key, a signing secret): shown here
 * with a copy button, and gone once the page moves on. */
export function ShownOnce({ id, label, value }: { id: string; label: string; value: string }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      // No clipboard (a page not served over https, or permission refused): select the text
      // so the person can copy it by hand.
      (document.getElementById(id) as HTMLInputElement | null)?.select();
      setCopied(false);
    }
  }
  return (
    <div class="shown-once" role="region" aria-label={label}>
      <label for={id}>{label}</label>
      <p class="muted">{t("settings.shownOnce")}</p>
      <div class="shown-once-value">
        <input id={id} type="text" readOnly value={value} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
        <button type="button" onClick={() => void copy()}>
          {t("settings.copy")}
        </button>
      </div>
      {copied !== null && (
        <p role="status">{copied ? t("settings.copied") : t("settings.copyByHand")}</p>
      )}
    </div>
  );
}
