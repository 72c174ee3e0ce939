import { t } from "../../i18n";
import type { SectionProps } from "../sections";

export function StockSection(_props: SectionProps) {
  return (
    <section class="panel wide">
      <h1>{t("office.stock")}</h1>
    </section>
  );
}
