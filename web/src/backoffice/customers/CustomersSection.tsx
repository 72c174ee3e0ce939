import { t } from "../../i18n";
import type { SectionProps } from "../sections";

export function CustomersSection(_props: SectionProps) {
  return (
    <section class="panel wide">
      <h1>{t("office.customers")}</h1>
    </section>
  );
}
