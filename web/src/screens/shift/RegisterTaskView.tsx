import { useState } from "preact/hooks";

import type { ShiftReport } from "../../closing";
import type { PairedRegister } from "../../register";
import type { SignedIn } from "../../session";
import { OrderLookup } from "../orders/OrderLookup";
import { CashMovement } from "./CashMovement";
import { CloseShift } from "./CloseShift";
import type { RegisterTask } from "./RegisterMenu";
import { ZReport } from "./ZReport";

/** What the register menu opened, in place of the sale; ``onDone(closed)`` goes back (closed:
 * the shift was closed, so the register asks for a new float next). */
export function RegisterTaskView({
  task,
  user,
  register,
  currency,
  onDone,
}: {
  task: RegisterTask;
  user: SignedIn;
  register: PairedRegister;
  currency: string;
  onDone: (closed: boolean) => void;
}) {
  const [report, setReport] = useState<ShiftReport | null>(null);
  const { registerId, locationId } = register;
  if (task === "cash") return <CashMovement registerId={registerId} currency={currency} onDone={() => onDone(false)} />;
  if (task === "orders") {
    return (
      <OrderLookup
        user={user}
        locationId={locationId}
        registerId={registerId}
        currency={currency}
        onBack={() => onDone(false)}
      />
    );
  }
  if (report) return <ZReport registerId={registerId} report={report} onDone={() => onDone(true)} />;
  return <CloseShift registerId={registerId} currency={currency} onClosed={setReport} onBack={() => onDone(false)} />;
}
