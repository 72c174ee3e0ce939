import { useEffect, useState } from "preact/hooks";

import { api } from "../../api";
import { t } from "../../i18n";
import { formatMoney } from "../../money";
import { explain } from "../../ui/explain";
import { type ModifierGroup, canChangeCatalog, listAll, modifierGroupsPath } from "./catalogApi";
import { amountText, failureOf, FormError, parseAmount, RowActions, TextInput, type FieldErrors } from "./forms";

interface OptionDraft {
  optionId?: string;
  name: string;
  priceDelta: string;
}

interface Draft {
  name: string;
  min: string;
  max: string;
  options: OptionDraft[];
}

const EMPTY: Draft = { name: "", min: "0", max: "1", options: [{ name: "", priceDelta: "" }] };

function draftOf(group: ModifierGroup, currency: string): Draft {
  return {
    name: group.name,
    min: String(group.minSelections),
    max: String(group.maxSelections),
    options: group.options.map((o) => ({
      optionId: o.optionId,
      name: o.name,
      priceDelta: amountText(o.priceDelta, currency),
    })),
  };
}

/** Modifier groups ("Milk": oat +0.50, soy +0.40; choose 0 to 1): list, create, edit, archive. */
export function ModifierGroups({ currency }: { currency: string }) {
  const canChange = canChangeCatalog();
  const [groups, setGroups] = useState<ModifierGroup[] | null>(null);
  const [editing, setEditing] = useState<ModifierGroup | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);

  const load = () =>
    listAll<ModifierGroup>(modifierGroupsPath, true).then(setGroups, (e) => setMessage(explain(e)));
  useEffect(() => void load(), []);

  function edit(group: ModifierGroup | null) {
    setEditing(group);
    setDraft(group ? draftOf(group, currency) : EMPTY);
    setErrors({});
    setMessage(null);
  }

  const setOption = (index: number, part: Partial<OptionDraft>) =>
    setDraft({ ...draft, options: draft.options.map((o, i) => (i === index ? { ...o, ...part } : o)) });

  async function save(event: Event) {
    event.preventDefault();
    const problems: FieldErrors = {};
    const options = draft.options.map((o, index) => {
      const delta = o.priceDelta.trim() === "" ? 0 : parseAmount(o.priceDelta);
      if (delta === null) problems[`options[${index}].priceDelta`] = t("catalog.badAmount");
      return { optionId: o.optionId, name: o.name, priceDelta: delta ?? 0, active: true };
    });
    const counts = { minSelections: Number(draft.min), maxSelections: Number(draft.max) };
    if (!Number.isInteger(counts.minSelections)) problems.minSelections = t("catalog.badCount");
    if (!Number.isInteger(counts.maxSelections)) problems.maxSelections = t("catalog.badCount");
    setErrors(problems);
    if (Object.keys(problems).length) return;
    const body = { name: draft.name, ...counts, options };
    try {
      if (editing) {
        const path = `${modifierGroupsPath}/${encodeURIComponent(editing.modifierGroupId)}`;
        await api("PATCH", path, { ...body, version: editing.version });
      } else {
        await api("POST", modifierGroupsPath, body);
      }
      edit(null);
      await load();
    } catch (failure) {
      const { fields, message: whole } = failureOf(failure);
      setErrors(fields);
      setMessage(whole);
    }
  }

  async function archive(group: ModifierGroup) {
    setMessage(null);
    try {
      const path = `${modifierGroupsPath}/${encodeURIComponent(group.modifierGroupId)}`;
      await api("PATCH", path, { archived: !group.archived, version: group.version });
      await load();
    } catch (failure) {
      setMessage(explain(failure));
    }
  }

  return (
    <div>
      {groups && groups.length === 0 && <p class="muted">{t("catalog.noModifierGroups")}</p>}
      {groups && groups.length > 0 && (
        <table class="catalog-table">
          <thead>
            <tr>
              <th scope="col">{t("catalog.modifierGroup")}</th>
              <th scope="col">{t("catalog.choose")}</th>
              <th scope="col">{t("catalog.modifierOptions")}</th>
              <th scope="col">
                <span class="visually-hidden">{t("catalog.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr key={g.modifierGroupId}>
                <td>
                  {g.name}
                  {g.archived && <span class="tag">{t("catalog.archived")}</span>}
                </td>
                <td>{t("catalog.minMax", { min: g.minSelections, max: g.maxSelections })}</td>
                <td>{g.options.map((o) => `${o.name} ${formatMoney(o.priceDelta, currency)}`).join(", ")}</td>
                <RowActions
                  name={g.name}
                  archived={g.archived}
                  canChange={canChange}
                  onEdit={() => edit(g)}
                  onArchive={() => void archive(g)}
                />
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canChange && (
        <form onSubmit={save} aria-labelledby="group-form-title">
          <h2 id="group-form-title">
            {editing ? t("catalog.editGroup", { name: editing.name }) : t("catalog.newGroup")}
          </h2>
          <div class="catalog-grid">
            <TextInput
              id="group-name"
              label={t("catalog.groupName")}
              value={draft.name}
              onValue={(name) => setDraft({ ...draft, name })}
              error={errors.name}
              required
            />
            <TextInput
              id="group-min"
              label={t("catalog.minSelections")}
              value={draft.min}
              onValue={(min) => setDraft({ ...draft, min })}
              error={errors.minSelections}
              inputMode="numeric"
            />
            <TextInput
              id="group-max"
              label={t("catalog.maxSelections")}
              value={draft.max}
              onValue={(max) => setDraft({ ...draft, max })}
              error={errors.maxSelections}
              inputMode="numeric"
            />
          </div>
          <fieldset>
            <legend>{t("catalog.modifierOptions")}</legend>
            {draft.options.map((o, index) => (
              <div class="catalog-option" key={index}>
                <TextInput
                  id={`option-name-${index}`}
                  label={t("catalog.optionName", { n: index + 1 })}
                  value={o.name}
                  onValue={(name) => setOption(index, { name })}
                  error={errors[`options[${index}].name`]}
                  required
                />
                <TextInput
                  id={`option-price-${index}`}
                  label={t("catalog.optionPrice", { n: index + 1, currency })}
                  value={o.priceDelta}
                  onValue={(priceDelta) => setOption(index, { priceDelta })}
                  error={errors[`options[${index}].priceDelta`]}
                  inputMode="decimal"
                />
                <button
                  type="button"
                  class="secondary"
                  disabled={draft.options.length === 1}
                  onClick={() => setDraft({ ...draft, options: draft.options.filter((_, i) => i !== index) })}
                  aria-label={t("catalog.removeOption", { n: index + 1 })}
                >
                  {t("catalog.remove")}
                </button>
              </div>
            ))}
            <button
              type="button"
              class="secondary"
              onClick={() =>
                setDraft({ ...draft, options: [...draft.options, { name: "", priceDelta: "" }] })
              }
            >
              {t("catalog.addOption")}
            </button>
          </fieldset>
          <FormError message={message} />
          <div class="catalog-actions">
            <button type="submit">{editing ? t("catalog.save") : t("catalog.createGroup")}</button>
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
