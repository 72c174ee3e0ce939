// What the register keeps on the device for selling offline, in IndexedDB: a few facts read
// from the API while it answered ("kept": the catalog's prices, the location's tax rates,
// who is signed in) and the outbox of sales waiting to be sent. No session token is kept: the
// session stays the server's httpOnly cookie.
import { type DBSchema, type IDBPDatabase, openDB } from "idb";

/** A sale rung up while the server could not be reached, as it will be sent. */
export interface WaitingSale {
  seq?: number;
  clientOrderId: string;
  occurredAt: string;
  /** The body of POST /v1/orders, without clientOrderId and occurredAt. */
  order: Record<string, unknown>;
  /** The body of POST /v1/orders/{id}/payments. */
  payment: Record<string, unknown>;
  /** The total the register showed (the offline price): the server's must be the same. */
  expectedTotal: number;
  currency: string;
  summary: string;
  /** A POST /v1/orders may have reached the server (its answer was lost). */
  attempted: boolean;
  refusal: string | null;
}

interface OfflineSchema extends DBSchema {
  kept: { key: string; value: unknown };
  outbox: { key: number; value: WaitingSale };
}

let opened: Promise<IDBPDatabase<OfflineSchema>> | null = null;

function database(): Promise<IDBPDatabase<OfflineSchema>> {
  opened ??= openDB<OfflineSchema>("tillpoint-offline", 1, {
    upgrade(db) {
      db.createObjectStore("kept");
      db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
    },
  });
  return opened;
}

export async function keep(key: string, value: unknown): Promise<void> {
  await (await database()).put("kept", value, key);
}

export async function kept<T>(key: string): Promise<T | undefined> {
  return (await (await database()).get("kept", key)) as T | undefined;
}

export async function forget(key: string): Promise<void> {
  await (await database()).delete("kept", key);
}

/** The outbox in the order the sales were rung up. */
export async function outbox(): Promise<WaitingSale[]> {
  return (await database()).getAll("outbox");
}

export async function addToOutbox(sale: WaitingSale): Promise<void> {
  await (await database()).add("outbox", sale);
}

export async function updateInOutbox(sale: WaitingSale): Promise<void> {
  await (await database()).put("outbox", sale);
}

export async function removeFromOutbox(seq: number): Promise<void> {
  await (await database()).delete("outbox", seq);
}
