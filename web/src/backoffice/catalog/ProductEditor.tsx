import { useEffect, useState } from "preact/hooks";

import { api } from "../../api";
import { t } from "../../i18n";
import { formatMoney } from "../../money";
import { explain } from "../../ui/explain";
import { go, href } from "../route";
import { type LocationPrice, type Product, canChangeCatalog, getProduct, saveProduct } from "./catalogApi";
import { type FieldErrors, FormError, TextInput, amountText, failureOf, parseAmount } from "./forms";
import { type Choices, loadChoices } from "./productChoices";
import { VariantsEditor } from "./VariantsEditor";

interface Draft {
  name: string;
  description: string;
  sku: string;
  barcode: string;
  barcodeInternal: boolean;
  price: string;
  cost: string;
  taxClass: string;
  categoryId: string;
  soldBy: "unit" | "weight";
  giftCard: boolean;
  modifierGroupIds: string[];
  /** The price typed for each location, by its id; empty: the product's price. */
  locationPrices: Record<string, string>;
}

function draftOf(p: Product | null, currency: string): Draft {
  return {
    name: p?.name ?? "",
    description: p?.description ?? "",
    sku: p?.sku ?? "",
    barcode: p?.barcode ?? "",
    barcodeInternal: p?.barcodeInternal ?? false,
    price: amountText(p?.price, currency),
    cost: amountText(p?.cost, currency),
    taxClass: p?.taxClass ?? "standard",
    categoryId: p?.categoryId ?? "",
    soldBy: p?.soldBy ?? "unit",
    giftCard: p?.giftCard ?? false,
    modifierGroupIds: p?.modifierGroupIds ?? [],
    locationPrices: Object.fromEntries(
      (p?.locationPrices ?? []).map((lp) => [lp.locationId, amountText(lp.price, currency)]),
    ),
  };
}

/** The server names a location's price by its place in the list sent
 * ("locationPrices[1].price"); the form shows it under that location's field. */
function onLocations(fields: FieldErrors, sent: LocationPrice[]): FieldErrors {
  const mapped: FieldErrors = {};
  for (const [field, message] of Object.entries(fields)) {
    const index = /^locationPrices\[(\d+)\]/.exec(field)?.[1];
    const place = index === undefined ? undefined : sent[Number(index)];
    mapped[place ? `locationPrices.${place.locationId}` : field] = message;
  }
  return mapped;
}

/** Create a product, or edit one: its fields, its prices per location, its variants, and
 * archiving (and restoring) it. */
export function ProductEditor({ productId, currency }: { productId: string | null; currency: string }) {
  const canChange = canChangeCatalog();
  const [product, setProduct] = useState<Product | null>(null);
  const [draft, setDraft] = useState<Draft>(draftOf(null, currency));
  const [choices, setChoices] = useState<Choices | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [working, setWorking] = useState(false);

  useEffect(() => {
    loadChoices().then(setChoices, (e) => setMessage(explain(e)));
    if (productId !== null) {
      getProduct(productId).then(
        (p) => (setProduct(p), setDraft(draftOf(p, currency))),
        (e) => setMessage(explain(e)),
      );
    }
  }, [productId]);

  const set = (part: Partial<Draft>) => (setDraft({ ...draft, ...part }), setSaved(false));

  function body(): Record<string, unknown> | null {
    const problems: FieldErrors = {};
    const price = parseAmount(draft.price);
    if (price === null) problems.price = t("catalog.badAmount");
    const cost = draft.cost.trim() === "" ? undefined : parseAmount(draft.cost);
    if (cost === null) problems.cost = t("catalog.badAmount");
    const locationPrices = [];
    for (const place of choices?.places ?? []) {
      const typed = draft.locationPrices[place.locationId] ?? "";
      if (typed.trim() === "") continue;
      const amount = parseAmount(typed);
      if (amount === null) problems[`locationPrices.${place.locationId}`] = t("catalog.badAmount");
      else locationPrices.push({ locationId: place.locationId, price: amount });
    }
    setErrors(problems);
    if (Object.keys(problems).length) return null;
    return {
      name: draft.name,
      description: draft.description,
      sku: draft.sku,
      barcode: draft.barcode.trim() || undefined,
      barcodeInternal: draft.barcodeInternal,
      price,
      cost,
      taxClass: draft.taxClass,
      categoryId: draft.categoryId || undefined,
      soldBy: draft.soldBy,
      giftCard: draft.giftCard,
      modifierGroupIds: draft.modifierGroupIds,
      locationPrices,
      ...(product ? { version: product.version } : {}),
    };
  }

  async function save(event: Event) {
    event.preventDefault();
    const sent = body();
    if (sent === null) return;
    setWorking(true);
    setMessage(null);
    try {
      const stored = await saveProduct(product?.productId ?? null, sent);
      setProduct(stored);
      setDraft(draftOf(stored, currency));
      setSaved(true);
      if (product === null) go(["catalog", "products", stored.productId]);
    } catch (failure) {
      const { fields, message: whole } = failureOf(failure);
      setErrors(onLocations(fields, sent.locationPrices as LocationPrice[]));
      setMessage(whole);
    } finally {
      setWorking(false);
    }
  }

  async function archive(archived: boolean) {
    if (product === null) return;
    setMessage(null);
    try {
      const path = `/v1/catalog/products/${encodeURIComponent(product.productId)}`;
      const stored = await api<Product>("PATCH", path, { archived, version: product.version });
      setProduct(stored);
    } catch (failure) {
      setMessage(explain(failure));
    }
  }

  if (productId !== null && product === null) return <FormError message={message} />;
  const err = (field: string) => errors[field];
  return (
    <div class="catalog-editor">
      <p>
        <a class="back" href={href(["catalog", "products"])}>
          {t("catalog.backToProducts")}
        </a>
      </p>
      <h2>{product ? product.name : t("catalog.newProduct")}</h2>
      {product?.archived && <p class="tag">{t("catalog.archived")}</p>}
      <form onSubmit={save} aria-label={t("catalog.productForm")}>
        <fieldset class="plain" disabled={!canChange}>
          <div class="catalog-grid">
            <TextInput
              id="product-name"
              label={t("catalog.name")}
              value={draft.name}
              onValue={(name) => set({ name })}
              error={err("name")}
              required
            />
            <TextInput
              id="product-sku"
              label={t("catalog.sku")}
              value={draft.sku}
              onValue={(sku) => set({ sku })}
              error={err("sku")}
              required
            />
            <TextInput
              id="product-price"
              label={t("catalog.priceIn", { currency })}
              value={draft.price}
              onValue={(price) => set({ price })}
              error={err("price")}
              inputMode="decimal"
              required
            />
            <TextInput
              id="product-barcode"
              label={t("catalog.barcode")}
              value={draft.barcode}
              onValue={(barcode) => set({ barcode })}
              error={err("barcode")}
            />
            <TextInput
              id="product-cost"
              label={t("catalog.costIn", { currency })}
              value={draft.cost}
              onValue={(cost) => set({ cost })}
              error={err("cost")}
              inputMode="decimal"
            />
            <div class="catalog-field">
              <label for="product-category-choice">{t("catalog.category")}</label>
              <select
                id="product-category-choice"
                value={draft.categoryId}
                onChange={(e) => set({ categoryId: (e.currentTarget as HTMLSelectElement).value })}
              >
                <option value="">{t("catalog.noCategory")}</option>
                {choices?.categories.map((c) => (
                  <option key={c.categoryId} value={c.categoryId}>
                    {c.path}
                  </option>
                ))}
              </select>
            </div>
            {choices?.taxClasses ? (
              <div class="catalog-field">
                <label for="product-tax">{t("catalog.taxClass")}</label>
                <select
                  id="product-tax"
                  value={draft.taxClass}
                  onChange={(e) => set({ taxClass: (e.currentTarget as HTMLSelectElement).value })}
                >
                  {choices.taxClasses.map((c) => (
                    <option key={c.code} value={c.code}>
                      {c.name}
                    </option>
                  ))}
                </select>
                {err("taxClass") && <p class="field-error">{err("taxClass")}</p>}
              </div>
            ) : (
              <TextInput
                id="product-tax"
                label={t("catalog.taxClass")}
                value={draft.taxClass}
                onValue={(taxClass) => set({ taxClass })}
                error={err("taxClass")}
              />
            )}
            <div class="catalog-field">
              <label for="product-sold-by">{t("catalog.soldBy")}</label>
              <select
                id="product-sold-by"
                value={draft.soldBy}
                onChange={(e) =>
                  set({ soldBy: (e.currentTarget as HTMLSelectElement).value as Draft["soldBy"] })
                }
              >
                <option value="unit">{t("catalog.byUnit")}</option>
                <option value="weight">{t("catalog.byWeight")}</option>
              </select>
            </div>
          </div>
          <div class="catalog-field">
            <label for="product-description">{t("catalog.description")}</label>
            <textarea
              id="product-description"
              rows={3}
              value={draft.description}
              onInput={(e) => set({ description: (e.currentTarget as HTMLTextAreaElement).value })}
            />
            {err("description") && <p class="field-error">{err("description")}</p>}
          </div>
          <label class="check">
            <input
              type="checkbox"
              checked={draft.barcodeInternal}
              onChange={(e) => set({ barcodeInternal: (e.currentTarget as HTMLInputElement).checked })}
            />
            {t("catalog.barcodeInternal")}
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={draft.giftCard}
              onChange={(e) => set({ giftCard: (e.currentTarget as HTMLInputElement).checked })}
            />
            {t("catalog.giftCard")}
          </label>
          {choices && choices.places.length > 0 && (
            <fieldset>
              <legend>{t("catalog.locationPrices")}</legend>
              <div class="catalog-grid">
                {choices.places.map((place, index) => (
                  <TextInput
                    key={place.locationId}
                    id={`location-price-${index}`}
                    label={t("catalog.priceAt", { location: place.name })}
                    value={draft.locationPrices[place.locationId] ?? ""}
                    onValue={(v) =>
                      set({ locationPrices: { ...draft.locationPrices, [place.locationId]: v } })
                    }
                    error={err(`locationPrices.${place.locationId}`)}
                    inputMode="decimal"
                  />
                ))}
              </div>
            </fieldset>
          )}
          {choices && choices.groups.length > 0 && (
            <fieldset>
              <legend>{t("catalog.modifierGroups")}</legend>
              {choices.groups.map((g) => (
                <label class="check" key={g.modifierGroupId}>
                  <input
                    type="checkbox"
                    checked={draft.modifierGroupIds.includes(g.modifierGroupId)}
                    onChange={(e) => {
                      const on = (e.currentTarget as HTMLInputElement).checked;
                      const others = draft.modifierGroupIds.filter((id) => id !== g.modifierGroupId);
                      set({ modifierGroupIds: on ? [...others, g.modifierGroupId] : others });
                    }}
                  />
                  {g.name}
                </label>
              ))}
            </fieldset>
          )}
          <FormError message={message} />
          {saved && (
            <p class="saved" role="status">
              {t("catalog.saved", { price: product ? formatMoney(product.price, currency) : "" })}
            </p>
          )}
        </fieldset>
        {canChange && (
          <div class="catalog-actions">
            <button type="submit" disabled={working}>
              {product ? t("catalog.save") : t("catalog.create")}
            </button>
            {product && (
              <button type="button" class="secondary" onClick={() => void archive(!product.archived)}>
                {product.archived ? t("catalog.restore") : t("catalog.archive")}
              </button>
            )}
          </div>
        )}
      </form>
      {product && <VariantsEditor product={product} currency={currency} onChanged={setProduct} />}
    </div>
  );
}
