// Customers at the register: find one by name, phone or email, or add one on the spot; their
// store credit and a gift card's balance, for paying with them.
import { api, nullOn } from "./api";
import type { Customer } from "./sale";

interface CustomerRow {
  customerId: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
}

export interface FoundCustomer extends Customer {
  contact: string;
}

function found(row: CustomerRow): FoundCustomer {
  const name = `${row.firstName} ${row.lastName}`.trim() || row.email || row.phone || row.customerId;
  return { customerId: row.customerId, name, contact: [row.phone, row.email].filter(Boolean).join(" · ") };
}

/** Customers whose name, last name, email or phone starts with ``text``. */
export async function searchCustomers(text: string): Promise<FoundCustomer[]> {
  const page = await api<{ items: CustomerRow[] }>(
    "GET",
    `/v1/customers?q=${encodeURIComponent(text)}&pageSize=20`,
  );
  return page.items.map(found);
}

export interface NewCustomer {
  firstName: string;
  lastName: string;
  phone: string;
  email: string;
}

export async function createCustomer(fields: NewCustomer): Promise<FoundCustomer> {
  const row = await api<CustomerRow>("POST", "/v1/customers", {
    firstName: fields.firstName,
    lastName: fields.lastName,
    phone: fields.phone || undefined,
    email: fields.email || undefined,
  });
  return found(row);
}

export async function storeCreditBalance(customerId: string): Promise<number> {
  const path = `/v1/customers/${encodeURIComponent(customerId)}/store-credit?pageSize=1`;
  return (await api<{ balance: number }>("GET", path)).balance;
}

/** A gift card's balance and status by its code; null when no card has it. */
export async function giftCardBalance(code: string): Promise<{ balance: number; status: string } | null> {
  return nullOn(
    404,
    api<{ balance: number; status: string }>("GET", `/v1/gift-cards/lookup?code=${encodeURIComponent(code)}`),
  );
}
