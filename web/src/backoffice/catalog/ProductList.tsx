import { useEffect, useState } from "preact/hooks";

import { t } from "../../i18n";
import { formatMoney } from "../../money";
import { explain } from "../../ui/explain";
import { href } from "../route";
import {
  type Category,
  type Page,
  type Product,
  type ProductFilter,
  PRODUCTS_PER_PAGE,
  canChangeCatalog,
  categoriesPath,
  listAll,
  listProducts,
} from "./catalogApi";
import { FormError } from "./forms";

/** Products: one search box (name, SKU, barcode), a category, archived ones or not, by page. */
export function ProductList({ currency }: { currency: string }) {
  const canChange = canChangeCatalog();
  const [filter, setFilter] = useState<ProductFilter>({
    q: "",
    category: "",
    includeArchived: false,
    page: 1,
  });
  const [typed, setTyped] = useState("");
  const [found, setFound] = useState<Page<Product> | null>(null);
  const [categories, setCategories] = useState<Category[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    listAll<Category>(categoriesPath).then(setCategories, (e) => setError(explain(e)));
  }, []);
  useEffect(() => {
    let current = true;
    listProducts(filter).then(
      (page) => current && (setFound(page), setError(null)),
      (e) => current && setError(explain(e)),
    );
    // A slower answer to an older filter must not replace the newer one's.
    return () => {
      current = false;
    };
  }, [filter]);

  const change = (part: Partial<ProductFilter>) => setFilter({ ...filter, page: 1, ...part });
  const pages = found ? Math.max(1, Math.ceil(found.total / PRODUCTS_PER_PAGE)) : 1;

  return (
    <div>
      <form
        class="catalog-filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          change({ q: typed });
        }}
      >
        <div class="catalog-field grow">
          <label for="product-search">{t("catalog.search")}</label>
          <input
            id="product-search"
            type="search"
            value={typed}
            onInput={(e) => setTyped((e.currentTarget as HTMLInputElement).value)}
          />
        </div>
        <button type="submit">{t("catalog.searchButton")}</button>
        <div class="catalog-field">
          <label for="product-category">{t("catalog.category")}</label>
          <select
            id="product-category"
            value={filter.category}
            onChange={(e) => change({ category: (e.currentTarget as HTMLSelectElement).value })}
          >
            <option value="">{t("catalog.allCategories")}</option>
            {categories.map((c) => (
              <option key={c.categoryId} value={c.categoryId}>
                {c.path}
              </option>
            ))}
          </select>
        </div>
        <label class="check">
          <input
            type="checkbox"
            checked={filter.includeArchived}
            onChange={(e) => change({ includeArchived: (e.currentTarget as HTMLInputElement).checked })}
          />
          {t("catalog.showArchived")}
        </label>
        {canChange && (
          <a class="button" href={href(["catalog", "products", "new"])}>
            {t("catalog.newProduct")}
          </a>
        )}
      </form>
      <FormError message={error} />
      {found && found.total === 0 && <p class="muted">{t("catalog.noProducts")}</p>}
      {found && found.total > 0 && (
        <table class="catalog-table">
          <caption class="muted">{t("catalog.productCount", { count: found.total })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("catalog.name")}</th>
              <th scope="col">{t("catalog.sku")}</th>
              <th scope="col">{t("catalog.category")}</th>
              <th scope="col" class="number">
                {t("catalog.price")}
              </th>
            </tr>
          </thead>
          <tbody>
            {found.items.map((p) => (
              <tr key={p.productId}>
                <td>
                  <a href={href(["catalog", "products", p.productId])}>{p.name}</a>
                  {p.variants.length > 0 && (
                    <span class="muted"> {t("catalog.variantCount", { count: p.variants.length })}</span>
                  )}
                  {p.archived && <span class="tag">{t("catalog.archived")}</span>}
                </td>
                <td>{p.sku}</td>
                <td>{p.category ?? ""}</td>
                <td class="number">{formatMoney(p.price, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {found && pages > 1 && (
        <nav class="pager" aria-label={t("catalog.pager")}>
          <button
            type="button"
            class="secondary"
            disabled={filter.page <= 1}
            onClick={() => setFilter({ ...filter, page: filter.page - 1 })}
          >
            {t("catalog.previous")}
          </button>
          <span>{t("catalog.pageOf", { page: filter.page, pages })}</span>
          <button
            type="button"
            class="secondary"
            disabled={filter.page >= pages}
            onClick={() => setFilter({ ...filter, page: filter.page + 1 })}
          >
            {t("catalog.next")}
          </button>
        </nav>
      )}
    </div>
  );
}
