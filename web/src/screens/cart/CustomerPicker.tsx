import { useEffect, useState } from "preact/hooks";

import { createCustomer, type FoundCustomer, type NewCustomer, searchCustomers } from "../../customers";
import { t } from "../../i18n";
import type { Customer } from "../../sale";
import { explain } from "../../ui/explain";
import { Field } from "../../ui/Field";
import { Dialog } from "./Dialog";

const EMPTY: NewCustomer = { firstName: "", lastName: "", phone: "", email: "" };

/** Find the customer by name, phone or email, or add them on the spot, and attach them to
 * the sale. */
export function CustomerPicker({
  onPick,
  onDetach,
  attached,
  onClose,
}: {
  onPick: (customer: Customer) => void;
  onDetach: () => void;
  attached: Customer | null;
  onClose: () => void;
}) {
  const [text, setText] = useState("");
  const [found, setFound] = useState<FoundCustomer[] | null>(null);
  const [adding, setAdding] = useState(false);
  const [fields, setFields] = useState(EMPTY);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const needle = text.trim();
    if (needle.length < 2) {
      setFound(null);
      return;
    }
    let current = true;
    // Wait for a pause in typing: one search, not one per key.
    const timer = window.setTimeout(() => {
      searchCustomers(needle).then(
        (rows) => current && setFound(rows),
        (e) => current && setError(explain(e)),
      );
    }, 250);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [text]);

  async function add(event: Event) {
    event.preventDefault();
    if (!fields.firstName.trim() && !fields.lastName.trim()) {
      setError(t("customer.needsName"));
      return;
    }
    if (!fields.phone.trim() && !fields.email.trim()) {
      setError(t("customer.needsContact"));
      return;
    }
    try {
      onPick(await createCustomer(fields));
    } catch (failure) {
      setError(explain(failure));
    }
  }

  const set = (name: keyof NewCustomer) => (value: string) => setFields({ ...fields, [name]: value });
  return (
    <Dialog id="customer" title={t("customer.title")} onClose={onClose}>
      {adding ? (
        <form onSubmit={(event) => void add(event)}>
          <Field id="customer-first" label={t("customer.firstName")} value={fields.firstName} onValue={set("firstName")} />
          <Field id="customer-last" label={t("customer.lastName")} value={fields.lastName} onValue={set("lastName")} />
          <Field id="customer-phone" label={t("customer.phone")} type="tel" inputMode="tel" value={fields.phone} onValue={set("phone")} />
          <Field id="customer-email" label={t("customer.email")} type="email" inputMode="email" value={fields.email} onValue={set("email")} />
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <div class="dialog-actions">
            <button class="primary" type="submit">
              {t("customer.addAndAttach")}
            </button>
            <button class="secondary" type="button" onClick={() => setAdding(false)}>
              {t("customer.backToSearch")}
            </button>
          </div>
        </form>
      ) : (
        <>
          <Field id="customer-search" label={t("customer.search")} type="search" value={text} onValue={setText} />
          <ul class="customer-results" aria-label={t("customer.results")}>
            {(found ?? []).map((customer) => (
              <li key={customer.customerId}>
                <button type="button" class="choice" onClick={() => onPick(customer)}>
                  <span class="item-name">{customer.name}</span>
                  <span class="item-price">{customer.contact}</span>
                </button>
              </li>
            ))}
          </ul>
          {found !== null && found.length === 0 && <p class="muted">{t("customer.noneFound")}</p>}
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <div class="dialog-actions">
            <button class="secondary" type="button" onClick={() => setAdding(true)}>
              {t("customer.new")}
            </button>
            {attached && (
              <button class="secondary" type="button" onClick={onDetach}>
                {t("customer.detach", { name: attached.name })}
              </button>
            )}
            <button class="secondary" type="button" onClick={onClose}>
              {t("common.cancel")}
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
