// What a product's fields offer to choose from, loaded once per editor.
import {
  type Category,
  type ModifierGroup,
  type Place,
  type TaxClass,
  categoriesPath,
  listAll,
  modifierGroupsPath,
} from "./catalogApi";

/** The choices a product's fields offer; a list the user may not read (tax classes are
 * settings) is left out and its field becomes plain text. */
export interface Choices {
  categories: Category[];
  groups: ModifierGroup[];
  taxClasses: TaxClass[] | null;
  places: Place[];
}

export async function loadChoices(): Promise<Choices> {
  const orNull = <T>(call: Promise<T[]>) => call.catch(() => null);
  const [categories, groups, taxClasses, places] = await Promise.all([
    listAll<Category>(categoriesPath),
    listAll<ModifierGroup>(modifierGroupsPath),
    orNull(listAll<TaxClass>("/v1/tax-classes")),
    orNull(listAll<Place>("/v1/locations")),
  ]);
  return { categories, groups, taxClasses, places: places ?? [] };
}
