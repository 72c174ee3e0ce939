import { useEffect, useState } from "preact/hooks";

import { api } from "../../api";
import { t } from "../../i18n";
import { explain } from "../../ui/explain";
import { type Category, canChangeCatalog, categoriesPath, listAll } from "./catalogApi";
import { failureOf, FormError, RowActions, TextInput, type FieldErrors } from "./forms";

/** Categories as a tree's paths ("Apparel > Tees"): create, rename, move, archive, restore. */
export function Categories() {
  const canChange = canChangeCatalog();
  const [categories, setCategories] = useState<Category[] | null>(null);
  const [editing, setEditing] = useState<Category | null>(null);
  const [name, setName] = useState("");
  const [parentId, setParentId] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);

  const load = () =>
    listAll<Category>(categoriesPath, true).then(setCategories, (e) => setMessage(explain(e)));
  useEffect(() => void load(), []);

  function edit(category: Category | null) {
    setEditing(category);
    setName(category?.name ?? "");
    setParentId(category?.parentId ?? "");
    setErrors({});
    setMessage(null);
  }

  async function save(event: Event) {
    event.preventDefault();
    try {
      if (editing) {
        const move = parentId ? { parentId } : editing.parentId ? { toRoot: true } : {};
        await api("PATCH", `${categoriesPath}/${encodeURIComponent(editing.categoryId)}`, {
          name,
          ...move,
          version: editing.version,
        });
      } else {
        await api("POST", categoriesPath, { name, parentId: parentId || undefined });
      }
      edit(null);
      await load();
    } catch (failure) {
      const { fields, message: whole } = failureOf(failure);
      setErrors(fields);
      setMessage(whole);
    }
  }

  async function archive(category: Category) {
    setMessage(null);
    try {
      await api("PATCH", `${categoriesPath}/${encodeURIComponent(category.categoryId)}`, {
        archived: !category.archived,
        version: category.version,
      });
      await load();
    } catch (failure) {
      setMessage(explain(failure));
    }
  }

  const parents = (categories ?? []).filter((c) => !c.archived && c.categoryId !== editing?.categoryId);
  return (
    <div>
      {categories && categories.length === 0 && <p class="muted">{t("catalog.noCategories")}</p>}
      {categories && categories.length > 0 && (
        <table class="catalog-table">
          <thead>
            <tr>
              <th scope="col">{t("catalog.category")}</th>
              <th scope="col">
                <span class="visually-hidden">{t("catalog.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {categories.map((c) => (
              <tr key={c.categoryId}>
                <td>
                  {c.path}
                  {c.archived && <span class="tag">{t("catalog.archived")}</span>}
                </td>
                <RowActions
                  name={c.path}
                  archived={c.archived}
                  canChange={canChange}
                  onEdit={() => edit(c)}
                  onArchive={() => void archive(c)}
                />
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canChange && (
        <form onSubmit={save} aria-labelledby="category-form-title">
          <h2 id="category-form-title">
            {editing ? t("catalog.editCategory", { name: editing.path }) : t("catalog.newCategory")}
          </h2>
          <div class="catalog-grid">
            <TextInput
              id="category-name"
              label={t("catalog.categoryName")}
              value={name}
              onValue={setName}
              error={errors.name}
              required
            />
            <div class="catalog-field">
              <label for="category-parent">{t("catalog.parent")}</label>
              <select
                id="category-parent"
                value={parentId}
                onChange={(e) => setParentId((e.currentTarget as HTMLSelectElement).value)}
              >
                <option value="">{t("catalog.topLevel")}</option>
                {parents.map((c) => (
                  <option key={c.categoryId} value={c.categoryId}>
                    {c.path}
                  </option>
                ))}
              </select>
              {errors.parentId && <p class="field-error">{errors.parentId}</p>}
            </div>
          </div>
          <FormError message={message} />
          <div class="catalog-actions">
            <button type="submit">{editing ? t("catalog.save") : t("catalog.createCategory")}</button>
            {editing && (
              <button type="button" class="secondary" onClick={() => edit(null)}>
                {t("common.cancel")}
              </button>
            )}
          </div>
        </form>
      )}
    </div>
  );
}
