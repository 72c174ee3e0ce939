import { useState } from "preact/hooks";

import { t } from "../../i18n";
import type { Discount } from "../../sale";
import { Field } from "../../ui/Field";
import { Dialog } from "./Dialog";
import { DiscountFields, discountOf, draftOf } from "./DiscountFields";

/** A line's or the whole order's discount and note. The server prices what is saved (and
 * says whether a manager must approve it). */
export function DiscountAndNote({
  id,
  title,
  discount,
  notes,
  noteLabel,
  onSave,
  onRemoveLine,
  onClose,
}: {
  id: string;
  title: string;
  discount: Discount | null;
  notes: string;
  noteLabel: string;
  onSave: (discount: Discount | null, notes: string) => void;
  onRemoveLine?: () => void;
  onClose: () => void;
}) {
  const [draft, setDraft] = useState(() => draftOf(discount));
  const [note, setNote] = useState(notes);
  const [error, setError] = useState<string | null>(null);

  function save(event: Event) {
    event.preventDefault();
    const given = discountOf(draft);
    if (typeof given === "string") {
      setError(given);
      return;
    }
    onSave(given, note.trim());
  }

  return (
    <Dialog id={id} title={title} onClose={onClose}>
      <form onSubmit={save}>
        <DiscountFields id={id} draft={draft} onDraft={setDraft} />
        <Field id={`${id}-note`} label={noteLabel} value={note} onValue={setNote} />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions">
          <button class="primary" type="submit">
            {t("cart.save")}
          </button>
          {discount !== null && (
            <button class="secondary" type="button" onClick={() => onSave(null, note.trim())}>
              {t("cart.removeDiscount")}
            </button>
          )}
          {onRemoveLine && (
            <button class="secondary" type="button" onClick={onRemoveLine}>
              {t("cart.removeLine")}
            </button>
          )}
          <button class="secondary" type="button" onClick={onClose}>
            {t("common.cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
