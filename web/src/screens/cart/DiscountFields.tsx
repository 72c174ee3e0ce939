import { t } from "../../i18n";
import type { Discount } from "../../sale";
import { Field } from "../../ui/Field";

/** What the cashier types for a discount: amount or percent, its value and the reason. */
export interface DiscountDraft {
  type: Discount["type"];
  value: string;
  reason: string;
}

export function draftOf(discount: Discount | null): DiscountDraft {
  return discount === null
    ? { type: "percentage", value: "", reason: "" }
    : { type: discount.type, value: String(discount.value), reason: discount.reason ?? "" };
}

/** The discount typed, null when none is, or a message saying what is wrong. */
export function discountOf(draft: DiscountDraft): Discount | null | string {
  if (draft.value.trim() === "") return null;
  const value = Number(draft.value.replace(",", "."));
  if (!Number.isFinite(value) || value <= 0) return t("cart.discountBad");
  if (draft.reason.trim() === "") return t("cart.discountNeedsReason");
  return { type: draft.type, value, reason: draft.reason.trim() };
}

export function DiscountFields({
  id,
  draft,
  onDraft,
}: {
  id: string;
  draft: DiscountDraft;
  onDraft: (draft: DiscountDraft) => void;
}) {
  const kinds: [Discount["type"], string][] = [
    ["percentage", t("cart.percent")],
    ["fixed", t("cart.amount")],
  ];
  return (
    <fieldset class="discount-fields">
      <legend>{t("cart.discount")}</legend>
      <div class="choices" role="group" aria-label={t("cart.discountKind")}>
        {kinds.map(([type, label]) => (
          <button
            key={type}
            type="button"
            class={draft.type === type ? "choice chosen" : "choice"}
            aria-pressed={draft.type === type}
            onClick={() => onDraft({ ...draft, type })}
          >
            {label}
          </button>
        ))}
      </div>
      <Field
        id={`${id}-value`}
        label={draft.type === "percentage" ? t("cart.discountPercent") : t("cart.discountAmount")}
        inputMode="decimal"
        value={draft.value}
        onValue={(value) => onDraft({ ...draft, value })}
      />
      <Field
        id={`${id}-reason`}
        label={t("cart.discountReason")}
        value={draft.reason}
        onValue={(reason) => onDraft({ ...draft, reason })}
      />
    </fieldset>
  );
}
