// What the catalog's forms share: amounts typed the device's way, and the server's field
// errors shown on the fields they name, and a list row's edit and archive buttons.
import { ApiFailure } from "../../api";
import { t } from "../../i18n";
import { explain } from "../../ui/explain";

/** The device's decimal separator ("," in much of Europe), from its number format. */
function decimalSeparator(): string {
  const part = new Intl.NumberFormat(navigator.language).formatToParts(1.5).find((p) => p.type === "decimal");
  return part?.value ?? ".";
}

/** An amount as typed ("12,50" or "12.50", spaces or grouping aside) as a number, or null when
 * it is not one. The server checks it against the currency (more decimals is its 400). */
export function parseAmount(text: string): number | null {
  const separator = decimalSeparator();
  let cleaned = text.trim().replace(/[\s\u00a0\u202f']/g, "");
  if (cleaned === "") return null;
  if (separator === ",") cleaned = cleaned.replace(/\./g, "").replace(",", ".");
  else cleaned = cleaned.replace(/,/g, "");
  if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(cleaned)) return null;
  return Number(cleaned);
}

/** An amount as the device writes it in a text box, with the currency's decimals: "12,50". */
export function amountText(amount: number | null | undefined, currency: string): string {
  if (amount === null || amount === undefined) return "";
  const decimals = new Intl.NumberFormat(navigator.language, {
    style: "currency",
    currency,
  }).resolvedOptions().minimumFractionDigits;
  return new Intl.NumberFormat(navigator.language, {
    useGrouping: false,
    minimumFractionDigits: decimals,
    maximumFractionDigits: Math.max(decimals ?? 0, 4),
  }).format(amount);
}

export type FieldErrors = Record<string, string>;

/** A failed save as the form shows it: each field's message by its name, and what names no
 * field (a conflict, the connection) as one message for the whole form. */
export function failureOf(failure: unknown): { fields: FieldErrors; message: string | null } {
  if (!(failure instanceof ApiFailure)) return { fields: {}, message: explain(failure) };
  const fields: FieldErrors = {};
  for (const detail of failure.error.details ?? []) {
    if (detail.field && detail.field !== "body" && !(detail.field in fields))
      fields[detail.field] = detail.message;
  }
  return { fields, message: Object.keys(fields).length ? null : explain(failure) };
}

/** A labelled input with its field error under it, tied to it for screen readers. */
export function TextInput(props: {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string;
  inputMode?: "text" | "decimal" | "numeric";
  required?: boolean;
}) {
  const errorId = `${props.id}-error`;
  return (
    <div class="catalog-field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="text"
        value={props.value}
        inputMode={props.inputMode}
        required={props.required}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? errorId : undefined}
        onInput={(e) => props.onValue((e.currentTarget as HTMLInputElement).value)}
      />
      {props.error && (
        <p class="field-error" id={errorId}>
          {props.error}
        </p>
      )}
    </div>
  );
}

export function FormError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}

/** A list row's actions for who may change the catalog: edit it, and archive or restore it. */
export function RowActions(props: {
  name: string;
  archived: boolean;
  canChange: boolean;
  onEdit: () => void;
  onArchive: () => void;
}) {
  const { name, archived } = props;
  return (
    <td class="row-actions">
      {props.canChange && (
        <>
          <button
            type="button"
            class="secondary"
            onClick={props.onEdit}
            aria-label={t("catalog.editNamed", { name })}
          >
            {t("catalog.edit")}
          </button>
          <button
            type="button"
            class="secondary"
            onClick={props.onArchive}
            aria-label={t(archived ? "catalog.restoreNamed" : "catalog.archiveNamed", { name })}
          >
            {archived ? t("catalog.restore") : t("catalog.archive")}
          </button>
        </>
      )}
    </td>
  );
}
