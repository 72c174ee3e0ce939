// The customer pages' calls to /v1/customers, /v1/loyalty and /v1/gift-cards. Balances,
// points and money are the server's; the app shows them and sends what the person typed.
import { api, nullOn } from "../../api";

export interface Page<T> {
  items: T[];
  total: number;
}

export interface Customer {
  customerId: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  notes: string;
  version: number;
}

export type CustomerFields = Pick<Customer, "firstName" | "lastName" | "email" | "phone" | "notes">;

export interface Order {
  orderId: string;
  receiptNumber: string | null;
  status: string;
  occurredAt: string;
  totals: { grandTotal: number };
}

export interface PointsEntry {
  entryId: string;
  points: number;
  balanceAfter: number;
  type: string;
  reason: string;
  createdAt: string;
}

export interface Loyalty {
  balance: number;
  value: number;
  entries: Page<PointsEntry>;
}

export interface MoneyEntry {
  entryId: string;
  amount: number;
  balanceAfter: number;
  reason: string;
  note: string | null;
  createdAt: string;
}

export interface StoreCredit extends Page<MoneyEntry> {
  balance: number;
}

export interface Program {
  name: string;
  active: boolean;
  pointsPerUnit: number;
  pointValue: number;
  minimumRedemption: number;
  expiryMonths: number | null;
  rounding: string;
  excludedCategoryIds: string[];
  version: number;
}

export interface GiftCard {
  giftCardId: string;
  last4: string;
  source: string;
  status: string;
  balance: number;
  expiresAt: string | null;
  version: number;
  createdAt: string;
}

const q = encodeURIComponent;

export function customers(text: string): Promise<Page<Customer>> {
  const search = text.trim() ? `&q=${q(text.trim())}` : "";
  return api("GET", `/v1/customers?pageSize=50${search}`);
}

export const customer = (id: string): Promise<Customer> => api("GET", `/v1/customers/${q(id)}`);

/** The editable fields only; empty optional ones are sent as null: no email rather than an
 * empty one. */
function body({ firstName, lastName, email, phone, notes }: CustomerFields) {
  return { firstName, lastName, notes, email: email || null, phone: phone || null };
}

export const createCustomer = (fields: CustomerFields): Promise<Customer> =>
  api("POST", "/v1/customers", body(fields));

export const updateCustomer = (id: string, fields: CustomerFields, version: number): Promise<Customer> =>
  api("PATCH", `/v1/customers/${q(id)}`, { ...body(fields), version });

export async function orders(id: string): Promise<Order[]> {
  return (await api<Page<Order>>("GET", `/v1/customers/${q(id)}/orders?pageSize=20`)).items;
}

export const loyalty = (id: string): Promise<Loyalty> =>
  api("GET", `/v1/customers/${q(id)}/loyalty?pageSize=20`);

export const adjustPoints = (id: string, points: number, reason: string) =>
  api("POST", `/v1/customers/${q(id)}/loyalty/adjustments`, { points, reason });

export const storeCredit = (id: string): Promise<StoreCredit> =>
  api("GET", `/v1/customers/${q(id)}/store-credit?pageSize=20`);

export const adjustCredit = (id: string, amount: number, reason: string) =>
  api("POST", `/v1/customers/${q(id)}/store-credit`, { amount, reason });

/** The tenant's loyalty program, or null before one is set up. */
export const program = (): Promise<Program | null> => nullOn(404, api<Program>("GET", "/v1/loyalty/program"));

export const saveProgram = (settings: Omit<Program, "version">, version: number | null): Promise<Program> =>
  api("PUT", "/v1/loyalty/program", { ...settings, version });

export const giftCards = (): Promise<Page<GiftCard>> => api("GET", "/v1/gift-cards?pageSize=50");

export const giftCard = (id: string): Promise<GiftCard> => api("GET", `/v1/gift-cards/${q(id)}`);

/** The card a code names, or null when no card has it. */
export const lookUpCard = (code: string) =>
  nullOn(404, api<{ giftCardId: string }>("GET", `/v1/gift-cards/lookup?code=${q(code)}`));

export async function cardEntries(id: string): Promise<MoneyEntry[]> {
  return (await api<Page<MoneyEntry>>("GET", `/v1/gift-cards/${q(id)}/entries?pageSize=50`)).items;
}

export const reloadCard = (id: string, amount: number, reason: string): Promise<GiftCard> =>
  api("POST", `/v1/gift-cards/${q(id)}/reload`, { amount, reason });

export const deactivateCard = (card: GiftCard, reason: string): Promise<GiftCard> =>
  api("POST", `/v1/gift-cards/${q(card.giftCardId)}/deactivate`, { reason, version: card.version });

/** Register physical cards' codes, or generate ``count`` new ones (shown only in this answer). */
export const addCards = (request: { codes: string[] } | { count: number }) =>
  api<{ items: GiftCard[]; codes: string[] | null }>("POST", "/v1/gift-cards/codes", request);
