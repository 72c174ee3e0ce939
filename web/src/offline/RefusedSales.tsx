import { t } from "../i18n";
import { acknowledge, salesRefused } from "./outbox";

const TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "short" });

/** Sales rung up offline that the server refused: each stays on screen, with why, until the
 * cashier acknowledges it (it is never sent again). */
export function RefusedSales() {
  const refused = salesRefused.value;
  if (refused.length === 0) return null;
  return (
    <section class="refused-sales" aria-labelledby="refused-title">
      <h2 id="refused-title">{t("offline.refusedTitle")}</h2>
      <ul>
        {refused.map((sale) => (
          <li key={sale.seq} data-testid="refused-sale">
            <p>
              <strong>
                {t("offline.refusedSale", {
                  time: TIME.format(new Date(sale.occurredAt)),
                  items: sale.summary,
                })}
              </strong>
            </p>
            <p role="alert">{sale.refusal}</p>
            <button class="secondary" type="button" onClick={() => void acknowledge(sale)}>
              {t("offline.acknowledge")}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
