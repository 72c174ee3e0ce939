import { useEffect, useState } from "preact/hooks";

import { t } from "../../i18n";
import { formatMoney } from "../../money";
import type { ChosenModifier } from "../../sale";
import { type Item, type ModifierGroup, modifierGroup } from "../../till";
import { explain } from "../../ui/explain";
import { Field } from "../../ui/Field";
import { Dialog } from "./Dialog";

/** What an item needs before it goes into the cart: the choices of its modifier groups
 * (between each group's min and max) and, sold by weight, the weight. */
export function ItemOptions({
  item,
  currency,
  onAdd,
  onClose,
}: {
  item: Item;
  currency: string;
  onAdd: (quantity: number, modifiers: ChosenModifier[]) => void;
  onClose: () => void;
}) {
  const [groups, setGroups] = useState<ModifierGroup[] | null>(null);
  const [chosen, setChosen] = useState<Record<string, string[]>>({});
  const [weight, setWeight] = useState("");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    Promise.all(item.modifierGroupIds.map(modifierGroup)).then(setGroups, (e) => setError(explain(e)));
  }, [item]);

  function toggle(group: ModifierGroup, optionId: string) {
    const now = chosen[group.modifierGroupId] ?? [];
    let next: string[];
    if (now.includes(optionId)) next = now.filter((id) => id !== optionId);
    else if (group.maxSelections === 1) next = [optionId];
    else if (now.length < group.maxSelections) next = [...now, optionId];
    else return;
    setChosen({ ...chosen, [group.modifierGroupId]: next });
  }

  function add(event: Event) {
    event.preventDefault();
    let quantity = 1;
    if (item.soldBy === "weight") {
      quantity = Number(weight.replace(",", "."));
      if (!Number.isFinite(quantity) || quantity <= 0) {
        setError(t("options.badWeight"));
        return;
      }
    }
    const modifiers: ChosenModifier[] = [];
    for (const group of groups ?? []) {
      const ids = chosen[group.modifierGroupId] ?? [];
      if (ids.length < group.minSelections) {
        setError(t("options.chooseMore", { group: group.name, count: group.minSelections }));
        return;
      }
      for (const option of group.options) {
        if (ids.includes(option.optionId)) modifiers.push({ optionId: option.optionId, name: option.name });
      }
    }
    onAdd(quantity, modifiers);
  }

  return (
    <Dialog id="options" title={item.name} onClose={onClose}>
      <form onSubmit={add}>
        {item.soldBy === "weight" && (
          <Field id="weight" label={t("options.weight")} inputMode="decimal" value={weight} onValue={setWeight} />
        )}
        {(groups ?? []).map((group) => (
          <fieldset key={group.modifierGroupId} class="modifier-group">
            <legend>
              {t("options.group", { group: group.name, min: group.minSelections, max: group.maxSelections })}
            </legend>
            <div class="choices">
              {group.options
                .filter((option) => option.active)
                .map((option) => {
                  const on = (chosen[group.modifierGroupId] ?? []).includes(option.optionId);
                  return (
                    <button
                      key={option.optionId}
                      type="button"
                      class={on ? "choice chosen" : "choice"}
                      aria-pressed={on}
                      onClick={() => toggle(group, option.optionId)}
                    >
                      <span class="item-name">{option.name}</span>
                      {option.priceDelta !== 0 && (
                        <span class="item-price">{formatMoney(option.priceDelta, currency)}</span>
                      )}
                    </button>
                  );
                })}
            </div>
          </fieldset>
        ))}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions">
          <button class="primary" type="submit" disabled={groups === null}>
            {t("options.add")}
          </button>
          <button class="secondary" type="button" onClick={onClose}>
            {t("common.cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
