// The settings pages' forms: labelled fields that show the server's own words about them. A
// refused request's details name the field they are about (`name`, `address.city`,
// `eventTypes[0]`); each is shown under that field, the rest above the form.
import type { ComponentChildren, InputHTMLAttributes } from "preact";

import { ApiFailure } from "../../api";
import { explain } from "../../ui/explain";

export interface Problems {
  fields: Record<string, string>;
  general: string | null;
}

export const NO_PROBLEMS: Problems = { fields: {}, general: null };

function owns(field: string, detail: string): boolean {
  return detail === field || detail.startsWith(`${field}.`) || detail.startsWith(`${field}[`);
}

/** What to show for a failed request, given the form's fields (server names). */
export function problemsOf(failure: unknown, fields: string[]): Problems {
  if (!(failure instanceof ApiFailure) || failure.error.status >= 500) {
    return { fields: {}, general: explain(failure) };
  }
  const found: Record<string, string> = {};
  const rest: string[] = [];
  for (const detail of failure.error.details) {
    const named = detail.field;
    const field = named === undefined ? undefined : fields.find((f) => owns(f, named));
    if (field === undefined) rest.push(detail.message);
    else found[field] ??= detail.message;
  }
  if (Object.keys(found).length > 0) return { fields: found, general: rest.length ? rest.join(" ") : null };
  const said = explain(failure);
  return { fields: {}, general: [said, ...rest.filter((m) => m !== said)].join(" ") };
}

type TextType = "text" | "email" | "password" | "url" | "number" | "search";

/** A labelled input with the server's complaint about it, tied to it for screen readers. */
export function TextField(props: {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string;
  type?: TextType;
  inputMode?: "text" | "numeric" | "decimal" | "url";
  autocomplete?: string;
  required?: boolean;
}) {
  const { id, label, onValue, error, type = "text", ...rest } = props;
  // Preact types an input's attributes by its type, one literal at a time; these all take
  // the same attributes.
  const attributes = {
    ...rest,
    id,
    type,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? `${id}-error` : undefined,
    onInput: (e: Event) => onValue((e.currentTarget as HTMLInputElement).value),
  } as InputHTMLAttributes<HTMLInputElement>;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input {...attributes} />
      {error && (
        <p id={`${id}-error`} class="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export function SelectField(props: {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  options: { value: string; label: string }[];
  error?: string;
}) {
  const { id, label, value, onValue, options, error } = props;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select
        id={id}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onValue((e.currentTarget as HTMLSelectElement).value)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {error && (
        <p id={`${id}-error`} class="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** Several of a list ticked: a fieldset of checkboxes, each label a touch target. */
export function ChoiceList(props: {
  legend: string;
  choices: { value: string; label: string }[];
  chosen: string[];
  onChosen: (chosen: string[]) => void;
  hint?: string;
  error?: string;
}) {
  const { legend, choices, chosen, onChosen, hint, error } = props;
  function toggle(value: string, on: boolean) {
    onChosen(on ? [...chosen, value] : chosen.filter((c) => c !== value));
  }
  return (
    <fieldset class="choice-list">
      <legend>{legend}</legend>
      {hint && <p class="muted">{hint}</p>}
      {choices.map((c) => (
        <label key={c.value} class="check">
          <input
            type="checkbox"
            checked={chosen.includes(c.value)}
            onChange={(e) => toggle(c.value, (e.currentTarget as HTMLInputElement).checked)}
          />
          <span>{c.label}</span>
        </label>
      ))}
      {error && <p class="field-error">{error}</p>}
    </fieldset>
  );
}

export function Said({ problems, notice }: { problems: Problems; notice?: string | null }) {
  return (
    <>
      {problems.general && (
        <p class="error" role="alert">
          {problems.general}
        </p>
      )}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
    </>
  );
}

/** A form that submits without reloading the page. */
export function Form({
  label,
  onSubmit,
  children,
}: {
  label: string;
  onSubmit: () => void;
  children: ComponentChildren;
}) {
  return (
    <form
      class="settings-form"
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}

/** One yes/no setting. */
export function CheckField(props: { label: string; checked: boolean; onChecked: (on: boolean) => void }) {
  return (
    <label class="check">
      <input
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChecked((e.currentTarget as HTMLInputElement).checked)}
      />
      <span>{props.label}</span>
    </label>
  );
}
