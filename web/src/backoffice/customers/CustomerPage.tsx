// A customer's page: who they are, their orders, their loyalty points and their store credit.
import { useEffect, useState } from "preact/hooks";

import { t } from "../../i18n";
import { formatMoney } from "../../money";
import { explain } from "../../ui/explain";
import { href } from "../route";
import { may } from "../may";
import { Alert } from "./action";
import { LoyaltyPanel, StoreCreditPanel } from "./CustomerBalances";
import { fullName } from "./CustomerList";
import { type Customer, customer, type Order, orders } from "./customersApi";

export function CustomerPage({ customerId, currency }: { customerId: string; currency: string }) {
  const [who, setWho] = useState<Customer | null>(null);
  const [bought, setBought] = useState<Order[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    customer(customerId).then(setWho, (e) => setError(explain(e)));
    orders(customerId).then(setBought, (e) => setError(explain(e)));
  }, [customerId]);
  if (who === null) return <Alert message={error} />;
  return (
    <div class="customer-page">
      <h2 data-testid="customer-name">{fullName(who)}</h2>
      <dl class="facts">
        <dt>{t("customers.email")}</dt>
        <dd>{who.email ?? "—"}</dd>
        <dt>{t("customers.phone")}</dt>
        <dd>{who.phone ?? "—"}</dd>
        {who.notes && (
          <>
            <dt>{t("customers.notes")}</dt>
            <dd>{who.notes}</dd>
          </>
        )}
      </dl>
      {may("customers:write") && (
        <a class="button secondary" href={href(["customers", customerId, "edit"])}>
          {t("customers.edit")}
        </a>
      )}
      <Alert message={error} />
      <LoyaltyPanel customerId={customerId} currency={currency} />
      <StoreCreditPanel customerId={customerId} currency={currency} />
      <h3>{t("customers.orders")}</h3>
      {bought && bought.length === 0 && <p>{t("customers.noOrders")}</p>}
      {bought && bought.length > 0 && (
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{t("customers.receipt")}</th>
              <th scope="col">{t("customers.when")}</th>
              <th scope="col">{t("customers.status")}</th>
              <th scope="col" class="number">{t("customers.total")}</th>
            </tr>
          </thead>
          <tbody>
            {bought.map((o) => (
              <tr key={o.orderId}>
                <th scope="row">{o.receiptNumber ?? o.orderId}</th>
                <td>{new Date(o.occurredAt).toLocaleString()}</td>
                <td>{o.status}</td>
                <td class="number">{formatMoney(o.totals.grandTotal, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
