import { t } from "../../i18n";
import type { SectionProps } from "../sections";

export function CatalogSection(_props: SectionProps) {
  return (
    <section class="panel wide">
      <h1>{t("office.catalog")}</h1>
    </section>
  );
}
