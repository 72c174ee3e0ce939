import { type StringKey, t } from "../../i18n";
import { href } from "../route";
import type { SectionProps } from "../sections";
import { Categories } from "./Categories";
import { ImportExport } from "./ImportExport";
import { ModifierGroups } from "./ModifierGroups";
import { ProductEditor } from "./ProductEditor";
import { ProductList } from "./ProductList";

const PAGES: { id: string; label: StringKey }[] = [
  { id: "products", label: "catalog.products" },
  { id: "categories", label: "catalog.categories" },
  { id: "modifier-groups", label: "catalog.modifierGroups" },
  { id: "import", label: "catalog.importExport" },
];

/** The catalog: products (with their variants), categories, modifier groups, CSV in and out.
 * Each page has its own address: #/catalog/products/<id> opens a product's editor. */
export function CatalogSection({ path, currency }: SectionProps) {
  const [page = "products", id] = path;
  return (
    <section class="panel wide catalog" aria-labelledby="catalog-title">
      <h1 id="catalog-title">{t("office.catalog")}</h1>
      <nav class="catalog-tabs" aria-label={t("catalog.pages")}>
        {PAGES.map((p) => (
          <a key={p.id} href={href(["catalog", p.id])} aria-current={p.id === page ? "page" : undefined}>
            {t(p.label)}
          </a>
        ))}
      </nav>
      {page === "products" && id === undefined && <ProductList currency={currency} />}
      {page === "products" && id !== undefined && (
        <ProductEditor key={id} productId={id === "new" ? null : id} currency={currency} />
      )}
      {page === "categories" && <Categories />}
      {page === "modifier-groups" && <ModifierGroups currency={currency} />}
      {page === "import" && <ImportExport importId={id} />}
    </section>
  );
}
