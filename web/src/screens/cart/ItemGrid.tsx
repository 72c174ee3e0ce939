import { useState } from "preact/hooks";

import { t } from "../../i18n";
import { formatMoney } from "../../money";
import type { Item } from "../../till";

/** The items the register sells, as big buttons, with a search by name or sku. */
export function ItemGrid({
  items,
  currency,
  onAdd,
}: {
  items: Item[] | null;
  currency: string;
  onAdd: (item: Item) => void;
}) {
  const [search, setSearch] = useState("");
  const needle = search.trim().toLowerCase();
  const shown = (items ?? []).filter(
    (item) => !needle || item.name.toLowerCase().includes(needle) || item.sku.toLowerCase() === needle,
  );
  return (
    <section class="catalog" aria-label={t("sale.items")}>
      <label for="search">{t("sale.search")}</label>
      <input id="search" type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      <div class="grid">
        {shown.slice(0, 60).map((item) => (
          <button key={item.sku} type="button" class="item" onClick={() => onAdd(item)}>
            <span class="item-name">{item.name}</span>
            <span class="item-price">{formatMoney(item.price, currency)}</span>
          </button>
        ))}
      </div>
      {items !== null && shown.length === 0 && <p class="muted">{t("sale.nothingFound")}</p>}
    </section>
  );
}
