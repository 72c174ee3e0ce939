import type { InputHTMLAttributes } from "preact";

type TextType = "text" | "email" | "password" | "search" | "tel";

/** A labelled text input: the label names it for screen readers and enlarges the target. */
export function Field(props: {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  type?: TextType;
  autocomplete?: string;
  inputMode?: "text" | "numeric" | "decimal" | "email" | "tel" | "search";
  required?: boolean;
}) {
  const { label, onValue, type = "text", ...rest } = props;
  // Preact types an input's attributes by its type, one literal at a time; these are all
  // text-like types, which accept the same attributes.
  const attributes = {
    ...rest,
    type,
    onInput: (e: Event) => onValue((e.currentTarget as HTMLInputElement).value),
  } as InputHTMLAttributes<HTMLInputElement>;
  return (
    <>
      <label for={props.id}>{label}</label>
      <input {...attributes} />
    </>
  );
}
