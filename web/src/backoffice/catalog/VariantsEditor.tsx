import { useState } from "preact/hooks";

import { api } from "../../api";
import { t } from "../../i18n";
import { formatMoney } from "../../money";
import { explain } from "../../ui/explain";
import {
  type OptionValue,
  type Product,
  type Variant,
  canChangeCatalog,
  getProduct,
  variantPath,
} from "./catalogApi";
import { amountText, failureOf, FormError, parseAmount, RowActions, TextInput, type FieldErrors } from "./forms";

interface Draft {
  options: string;
  sku: string;
  barcode: string;
  price: string;
}

const EMPTY: Draft = { options: "", sku: "", barcode: "", price: "" };

/** "Size=M, Color=Blue" as the API's option values (a name without "=" is a value alone). */
function optionsOf(text: string): OptionValue[] {
  return text
    .split(/[,;|]/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part, index) => {
      const [name, ...value] = part.split("=");
      return value.length
        ? { name: name.trim(), value: value.join("=").trim() }
        : { name: t("catalog.optionN", { n: index + 1 }), value: name.trim() };
    });
}

function optionsText(variant: Variant): string {
  return variant.optionValues.map((o) => `${o.name}=${o.value}`).join(", ");
}

/** The server names a variant field "optionValues[0].value"; the form has one options box. */
function onOptions(fields: FieldErrors): FieldErrors {
  const mapped: FieldErrors = {};
  for (const [field, message] of Object.entries(fields)) {
    const key = field.startsWith("optionValues") || field === "name" ? "options" : field;
    mapped[key] ??= message;
  }
  return mapped;
}

/** A product's option variants: each with its options, SKU, barcode and own price (empty: the
 * product's); add, edit, archive and restore. */
export function VariantsEditor(props: {
  product: Product;
  currency: string;
  onChanged: (p: Product) => void;
}) {
  const { product, currency } = props;
  const canChange = canChangeCatalog();
  const [editing, setEditing] = useState<Variant | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);

  const refresh = async () => props.onChanged(await getProduct(product.productId));

  function edit(variant: Variant | null) {
    setEditing(variant);
    setErrors({});
    setMessage(null);
    setDraft(
      variant
        ? {
            options: optionsText(variant),
            sku: variant.sku,
            barcode: variant.barcode ?? "",
            price: amountText(variant.price, currency),
          }
        : EMPTY,
    );
  }

  async function save(event: Event) {
    event.preventDefault();
    const price = draft.price.trim() === "" ? null : parseAmount(draft.price);
    if (draft.price.trim() !== "" && price === null) {
      setErrors({ price: t("catalog.badAmount") });
      return;
    }
    const body: Record<string, unknown> = {
      optionValues: optionsOf(draft.options),
      sku: draft.sku,
      barcode: draft.barcode.trim() || undefined,
      price: price ?? undefined,
    };
    try {
      if (editing) {
        await api("PATCH", variantPath(product.productId, editing.variantId), {
          ...body,
          version: editing.version,
        });
      } else {
        await api("POST", variantPath(product.productId), body);
      }
      edit(null);
      await refresh();
    } catch (failure) {
      const { fields, message: whole } = failureOf(failure);
      setErrors(onOptions(fields));
      setMessage(whole);
    }
  }

  async function archive(variant: Variant) {
    setMessage(null);
    try {
      await api("PATCH", variantPath(product.productId, variant.variantId), {
        archived: !variant.archived,
        version: variant.version,
      });
      await refresh();
    } catch (failure) {
      setMessage(explain(failure));
    }
  }

  return (
    <section class="catalog-variants" aria-labelledby="variants-title">
      <h2 id="variants-title">{t("catalog.variants")}</h2>
      {product.variants.length === 0 ? (
        <p class="muted">{t("catalog.noVariants")}</p>
      ) : (
        <table class="catalog-table">
          <thead>
            <tr>
              <th scope="col">{t("catalog.variant")}</th>
              <th scope="col">{t("catalog.sku")}</th>
              <th scope="col">{t("catalog.barcode")}</th>
              <th scope="col" class="number">
                {t("catalog.price")}
              </th>
              <th scope="col">
                <span class="visually-hidden">{t("catalog.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {product.variants.map((v) => (
              <tr key={v.variantId}>
                <td>
                  {v.name}
                  {v.archived && <span class="tag">{t("catalog.archived")}</span>}
                </td>
                <td>{v.sku}</td>
                <td>{v.barcode ?? ""}</td>
                <td class="number">{formatMoney(v.price ?? product.price, currency)}</td>
                <RowActions
                  name={v.name}
                  archived={v.archived}
                  canChange={canChange}
                  onEdit={() => edit(v)}
                  onArchive={() => void archive(v)}
                />
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canChange && (
        <form onSubmit={save} aria-labelledby="variant-form-title">
          <h3 id="variant-form-title">
            {editing ? t("catalog.editVariant", { name: editing.name }) : t("catalog.addVariant")}
          </h3>
          <div class="catalog-grid">
            <TextInput
              id="variant-options"
              label={t("catalog.options")}
              value={draft.options}
              onValue={(options) => setDraft({ ...draft, options })}
              error={errors.options}
              required
            />
            <TextInput
              id="variant-sku"
              label={t("catalog.variantSku")}
              value={draft.sku}
              onValue={(sku) => setDraft({ ...draft, sku })}
              error={errors.sku}
              required
            />
            <TextInput
              id="variant-barcode"
              label={t("catalog.variantBarcode")}
              value={draft.barcode}
              onValue={(barcode) => setDraft({ ...draft, barcode })}
              error={errors.barcode}
            />
            <TextInput
              id="variant-price"
              label={t("catalog.variantPrice", { currency })}
              value={draft.price}
              onValue={(price) => setDraft({ ...draft, price })}
              error={errors.price}
              inputMode="decimal"
            />
          </div>
          <p class="muted">{t("catalog.optionsHint")}</p>
          <FormError message={message} />
          <div class="catalog-actions">
            <button type="submit">{editing ? t("catalog.saveVariant") : t("catalog.addVariant")}</button>
            {editing && (
              <button type="button" class="secondary" onClick={() => edit(null)}>
                {t("common.cancel")}
              </button>
            )}
          </div>
        </form>
      )}
    </section>
  );
}
