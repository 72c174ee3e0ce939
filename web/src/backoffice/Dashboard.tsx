import { t } from "../i18n";
import type { SectionProps } from "./sections";

export function Dashboard(_props: SectionProps) {
  return (
    <section class="panel wide">
      <h1>{t("office.dashboard")}</h1>
    </section>
  );
}
