// The customers, searched by the start of a name, an email or a phone number.
import { useEffect, useState } from "preact/hooks";

import { t } from "../../i18n";
import { explain } from "../../ui/explain";
import { Field } from "../../ui/Field";
import { href } from "../route";
import { may } from "../may";
import { Alert } from "./action";
import { type Customer, customers } from "./customersApi";

export function CustomerList() {
  const [text, setText] = useState("");
  const [rows, setRows] = useState<Customer[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    customers(text).then(
      (found) => current && setRows(found.items),
      (e) => current && setError(explain(e)),
    );
    return () => {
      current = false;
    };
  }, [text]);
  return (
    <>
      <div class="toolbar">
        <div>
          <Field
            id="customer-search"
            label={t("customers.search")}
            type="search"
            value={text}
            onValue={setText}
          />
        </div>
        {may("customers:write") && (
          <a class="button" href={href(["customers", "new"])}>
            {t("customers.new")}
          </a>
        )}
      </div>
      <Alert message={error} />
      {rows && rows.length === 0 && <p>{t("customers.none")}</p>}
      {rows && rows.length > 0 && (
        <ul class="rows" data-testid="customers">
          {rows.map((c) => (
            <li key={c.customerId}>
              <a href={href(["customers", c.customerId])}>{fullName(c)}</a>
              <span>{c.email}</span>
              <span>{c.phone}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function fullName(c: Customer): string {
  return `${c.firstName} ${c.lastName}`.trim() || c.email || c.phone || c.customerId;
}
