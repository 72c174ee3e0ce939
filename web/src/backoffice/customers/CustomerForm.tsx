// Create a customer, or edit one (naming the version read: a change made meanwhile is a
// conflict the server reports, not something silently overwritten).
import { useEffect, useState } from "preact/hooks";

import { t } from "../../i18n";
import { Field } from "../../ui/Field";
import { go, href } from "../route";
import { Alert, useAction } from "./action";
import { type Customer, type CustomerFields, createCustomer, customer, updateCustomer } from "./customersApi";

const EMPTY: CustomerFields = { firstName: "", lastName: "", email: "", phone: "", notes: "" };

export function CustomerForm({ customerId }: { customerId?: string }) {
  const [fields, setFields] = useState<CustomerFields>(EMPTY);
  const [loaded, setLoaded] = useState<Customer | null>(null);
  const { busy, error, run } = useAction();
  useEffect(() => {
    if (customerId === undefined) return;
    void run(async () => {
      const found = await customer(customerId);
      setLoaded(found);
      setFields({ ...found, email: found.email ?? "", phone: found.phone ?? "" });
    });
  }, [customerId]);
  // From the latest state: two fields filled before a render must both be kept.
  const set = (name: keyof CustomerFields) => (value: string) =>
    setFields((latest) => ({ ...latest, [name]: value }));
  const submit = async (e: Event) => {
    e.preventDefault();
    let saved: Customer | null = null;
    const ok = await run(async () => {
      saved = loaded
        ? await updateCustomer(loaded.customerId, fields, loaded.version)
        : await createCustomer(fields);
    });
    if (ok && saved) go(["customers", (saved as Customer).customerId]);
  };
  const back = customerId ? href(["customers", customerId]) : href(["customers"]);
  // Editing: no field until the customer is loaded, so nothing typed is overwritten by it.
  if (customerId !== undefined && loaded === null) return <Alert message={error} />;
  return (
    <form class="card" onSubmit={submit} aria-labelledby="customer-form-title">
      <h2 id="customer-form-title">{customerId ? t("customers.edit") : t("customers.new")}</h2>
      <div class="toolbar">
        <div>
          <Field
            id="customer-first"
            label={t("customers.firstName")}
            autocomplete="off"
            value={fields.firstName}
            onValue={set("firstName")}
          />
        </div>
        <div>
          <Field
            id="customer-last"
            label={t("customers.lastName")}
            autocomplete="off"
            value={fields.lastName}
            onValue={set("lastName")}
          />
        </div>
      </div>
      <div class="toolbar">
        <div>
          <Field
            id="customer-email"
            label={t("customers.email")}
            type="email"
            autocomplete="off"
            value={fields.email ?? ""}
            onValue={set("email")}
          />
        </div>
        <div>
          <Field
            id="customer-phone"
            label={t("customers.phone")}
            type="tel"
            autocomplete="off"
            value={fields.phone ?? ""}
            onValue={set("phone")}
          />
        </div>
      </div>
      <Field id="customer-notes" label={t("customers.notes")} value={fields.notes} onValue={set("notes")} />
      <Alert message={error} />
      <div class="actions">
        <button type="submit" disabled={busy}>
          {t("customers.save")}
        </button>
        <a class="button secondary" href={back}>
          {t("common.cancel")}
        </a>
      </div>
    </form>
  );
}
