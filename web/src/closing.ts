// The register's end-of-day calls: cash paid in and out of the drawer, closing the shift with
// the counted cash, its report (the server's figures: expected cash, over/short, tenders) and
// printing it; printing and e-mailing a sale's receipt.
import { api } from "./api";

export type CashMovementKind = "paid_in" | "paid_out";

export interface TenderTotals {
  tenderType: string;
  paymentCount: number;
  payments: number;
  refundCount: number;
  refunds: number;
  net: number;
}

export interface ShiftReport {
  kind: "X" | "Z";
  shiftId: string;
  currency: string;
  openedAt: string;
  openedByName: string | null;
  closedAt: string | null;
  closedByName: string | null;
  openingFloat: number;
  cashSales: number;
  cashRefunds: number;
  paidIn: number;
  paidInCount: number;
  paidOut: number;
  paidOutCount: number;
  expectedCash: number;
  countedCash: number | null;
  overShort: number | null;
  orderCount: number;
  paymentCount: number;
  refundCount: number;
  voidedPaymentCount: number;
  tenders: TenderTotals[];
}

interface Shift {
  shiftId: string;
  version: number;
  report: ShiftReport | null;
}

export interface Printed {
  printed: boolean;
  printerId: string;
}

const shifts = (registerId: string) => `/v1/registers/${encodeURIComponent(registerId)}/shifts`;

/** The register's open shift (its id and version), or an error when none is open. */
export async function openShiftOf(registerId: string): Promise<{ shiftId: string; version: number }> {
  return api<Shift>("GET", `${shifts(registerId)}/current`);
}

export async function moveCash(
  registerId: string,
  shiftId: string,
  kind: CashMovementKind,
  amount: number,
  reason: string,
): Promise<void> {
  await api("POST", `${shifts(registerId)}/${encodeURIComponent(shiftId)}/cash-movements`, {
    kind,
    amount,
    reason,
  });
}

/** The open shift's figures so far (an X report): what the drawer should hold. */
export async function shiftReport(registerId: string, shiftId: string): Promise<ShiftReport> {
  return api<ShiftReport>("GET", `${shifts(registerId)}/${encodeURIComponent(shiftId)}/report`);
}

/** Close with the counted cash; the answer carries the Z report the server froze. */
export async function closeShift(
  registerId: string,
  shift: { shiftId: string; version: number },
  countedCash: number,
): Promise<ShiftReport> {
  const closed = await api<Shift>(
    "POST",
    `${shifts(registerId)}/${encodeURIComponent(shift.shiftId)}/close`,
    { countedCash, version: shift.version },
  );
  if (closed.report === null) throw new Error("a closed shift without its report");
  return closed.report;
}

export async function printShiftReport(registerId: string, shiftId: string): Promise<Printed> {
  return api<Printed>("POST", `${shifts(registerId)}/${encodeURIComponent(shiftId)}/report/print`, {});
}

export async function printReceipt(orderId: string): Promise<Printed> {
  return api<Printed>("POST", `/v1/orders/${encodeURIComponent(orderId)}/receipt/print`, {});
}

export async function emailReceipt(orderId: string, to: string): Promise<void> {
  await api("POST", `/v1/orders/${encodeURIComponent(orderId)}/receipt/email`, { to });
}
