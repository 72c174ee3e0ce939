"""A shift's figures (the X report while open, the Z report frozen at its close) and their
rendering as text for 42-column receipt paper.

The figures are read from the rows stamped with the shift's id — captured payments, refunds and
cash movements — never from a time window, so what belongs to a shift is decided by which shift
a payment locked when it was taken (see ``sales.shifts``), not by clocks.
"""

import textwrap
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_currency
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.money import from_minor
from tillpoint.sales.models import (
    PRINT_LOCALE,
    TENDER_NAMES,
    TENDER_TYPES,
    Order,
    Payment,
    Refund,
    Shift,
    ShiftCashMovement,
)
from tillpoint.sales.shifts.schemas import ShiftReportOut, TenderTotalsOut

WIDTH = 42


def expected_cash(
    opening_float: int, cash_sales: int, cash_refunds: int, paid_in: int, paid_out: int
) -> int:
    """What the drawer should hold: float + cash sales − cash refunds + paid in − paid out."""
    return opening_float + cash_sales - cash_refunds + paid_in - paid_out


@dataclass
class _Tender:
    payment_count: int = 0
    payments: int = 0
    refund_count: int = 0
    refunds: int = 0


async def shift_figures(
    session: AsyncSession,
    shift: Shift,
    *,
    currency: str,
    generated_at: datetime,
    counted_cash: int | None = None,
) -> dict[str, Any]:
    """The shift's figures in minor units, as stored in ``Shift.report`` (JSON-ready).

    With ``counted_cash`` (the close) they include the count and the over/short.
    """
    # The drawer's line is always on the report, even with no cash taken.
    tenders: dict[str, _Tender] = defaultdict(_Tender, cash=_Tender())
    payment_count = voided_count = 0
    by_tender = (
        select(Payment.tender_type, Payment.status, func.count(), func.sum(Payment.amount_minor))
        .where(Payment.shift_id == shift.id)
        .group_by(Payment.tender_type, Payment.status)
    )
    for tender_type, status, count, amount in await session.execute(by_tender):
        if status == "captured":
            tenders[tender_type].payment_count += int(count)
            tenders[tender_type].payments += int(amount or 0)
            payment_count += int(count)
        else:
            voided_count += int(count)
    # An order is in the shift it completed in (its shift_id), like each payment is in its
    # own: one paid partly before a close and finished after it counts once, in the later one.
    orders = select(func.count()).select_from(Order).where(Order.shift_id == shift.id)
    order_count = int((await session.execute(orders)).scalar_one())

    refund_count = 0
    for refund_tenders in (
        await session.execute(select(Refund.tenders).where(Refund.shift_id == shift.id))
    ).scalars():
        refund_count += 1
        for tender_type in {t["tenderType"] for t in refund_tenders}:
            tenders[tender_type].refund_count += 1
        for t in refund_tenders:
            tenders[t["tenderType"]].refunds += int(t["amountMinor"])

    moved = {"paid_in": (0, 0), "paid_out": (0, 0)}
    movements = (
        select(ShiftCashMovement.kind, func.count(), func.sum(ShiftCashMovement.amount_minor))
        .where(ShiftCashMovement.shift_id == shift.id)
        .group_by(ShiftCashMovement.kind)
    )
    for kind, count, amount in await session.execute(movements):
        moved[kind] = (int(count), int(amount or 0))

    cash = tenders["cash"]
    expected = expected_cash(
        shift.opening_float_minor,
        cash.payments,
        cash.refunds,
        moved["paid_in"][1],
        moved["paid_out"][1],
    )
    order = {t: i for i, t in enumerate(TENDER_TYPES)}
    return {
        "currency": currency,
        "generatedAt": generated_at.isoformat(),
        "openingFloatMinor": shift.opening_float_minor,
        "cashSalesMinor": cash.payments,
        "cashRefundsMinor": cash.refunds,
        "paidInMinor": moved["paid_in"][1],
        "paidInCount": moved["paid_in"][0],
        "paidOutMinor": moved["paid_out"][1],
        "paidOutCount": moved["paid_out"][0],
        "expectedCashMinor": expected,
        "countedCashMinor": counted_cash,
        "overShortMinor": None if counted_cash is None else counted_cash - expected,
        "orderCount": order_count,
        "paymentCount": payment_count,
        "refundCount": refund_count,
        "voidedPaymentCount": voided_count,
        "tenders": [
            {
                "tenderType": tender_type,
                "paymentCount": t.payment_count,
                "paymentsMinor": t.payments,
                "refundCount": t.refund_count,
                "refundsMinor": t.refunds,
                "netMinor": t.payments - t.refunds,
            }
            for tender_type, t in sorted(
                tenders.items(), key=lambda item: (order.get(item[0], len(order)), item[0])
            )
        ],
    }


def report_out(
    shift: Shift, figures: dict[str, Any], exponent: int, names: dict[str, str]
) -> ShiftReportOut:
    """The figures (minor units) as the API shows them: Z for a closed shift, X for an open one.
    ``names`` are the people's names by id (``identity.service.principal_names``)."""

    def money(key: str) -> Decimal:
        return from_minor(int(figures[key]), exponent)

    def maybe(key: str) -> Decimal | None:
        return None if figures.get(key) is None else money(key)

    return ShiftReportOut(
        kind="Z" if shift.status == "closed" else "X",
        shift_id=shift.id,
        register_id=shift.register_id,
        location_id=shift.location_id,
        status="closed" if shift.status == "closed" else "open",
        currency=figures["currency"],
        opened_at=shift.opened_at,
        opened_by=shift.opened_by,
        opened_by_name=names.get(shift.opened_by or ""),
        closed_at=shift.closed_at,
        closed_by=shift.closed_by,
        closed_by_name=names.get(shift.closed_by or ""),
        generated_at=datetime.fromisoformat(figures["generatedAt"]),
        opening_float=money("openingFloatMinor"),
        cash_sales=money("cashSalesMinor"),
        cash_refunds=money("cashRefundsMinor"),
        paid_in=money("paidInMinor"),
        paid_in_count=figures["paidInCount"],
        paid_out=money("paidOutMinor"),
        paid_out_count=figures["paidOutCount"],
        expected_cash=money("expectedCashMinor"),
        counted_cash=maybe("countedCashMinor"),
        over_short=maybe("overShortMinor"),
        order_count=figures["orderCount"],
        payment_count=figures["paymentCount"],
        refund_count=figures["refundCount"],
        voided_payment_count=figures["voidedPaymentCount"],
        tenders=[
            TenderTotalsOut(
                tender_type=t["tenderType"],
                payment_count=t["paymentCount"],
                payments=from_minor(t["paymentsMinor"], exponent),
                refund_count=t["refundCount"],
                refunds=from_minor(t["refundsMinor"], exponent),
                net=from_minor(t["netMinor"], exponent),
            )
            for t in figures["tenders"]
        ],
    )


# ---- text ------------------------------------------------------------------------------------


def _pair(label: str, value: str) -> str:
    """``label`` left and ``value`` right on one line of WIDTH; a long label is cut short."""
    value = value[:WIDTH]
    room = WIDTH - len(value) - 1
    if room < 1:
        return value
    return label[:room].ljust(WIDTH - len(value)) + value


def _wrapped(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, break_long_words=True) or [""]


def render_text(
    report: ShiftReportOut,
    *,
    business_name: str,
    location_name: str,
    register_name: str,
    timezone: str,
) -> str:
    """The report for receipt paper: no line longer than WIDTH characters."""
    zone = ZoneInfo(timezone)

    def money(amount: Decimal) -> str:
        return str(format_currency(amount, report.currency, locale=PRINT_LOCALE))

    def when(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")

    rule, double = "-" * WIDTH, "=" * WIDTH
    closed = report.kind == "Z"
    lines = [double, ("Z REPORT" if closed else "X REPORT").center(WIDTH).rstrip()]
    if not closed:
        lines.append("Shift still open - not a close".center(WIDTH).rstrip())
    lines.append(double)
    lines += _wrapped(business_name)
    lines += _wrapped(location_name)
    lines += _wrapped(f"Register: {register_name}")
    lines.append(_pair("Shift", report.shift_id))
    lines.append(_pair("Opened", when(report.opened_at)))
    # People by name; an id only for one whose name cannot be read (a deleted key).
    opened_by = report.opened_by_name or report.opened_by
    if opened_by:
        lines.append(_pair("  by", opened_by))
    if report.closed_at is not None:
        lines.append(_pair("Closed", when(report.closed_at)))
    closed_by = report.closed_by_name or report.closed_by
    if closed_by:
        lines.append(_pair("  by", closed_by))
    if not closed:
        lines.append(_pair("Printed", when(report.generated_at)))

    lines += [rule, "TENDERS"]
    for t in report.tenders:
        lines.append(TENDER_NAMES.get(t.tender_type, t.tender_type))
        lines.append(_pair(f"  Payments ({t.payment_count})", money(t.payments)))
        lines.append(_pair(f"  Refunds ({t.refund_count})", money(-t.refunds)))
        lines.append(_pair("  Net", money(t.net)))

    lines += [rule, "CASH DRAWER"]
    lines.append(_pair("Opening float", money(report.opening_float)))
    lines.append(_pair("Cash sales", money(report.cash_sales)))
    lines.append(_pair("Cash refunds", money(-report.cash_refunds)))
    lines.append(_pair(f"Paid in ({report.paid_in_count})", money(report.paid_in)))
    lines.append(_pair(f"Paid out ({report.paid_out_count})", money(-report.paid_out)))
    lines.append(_pair("Expected cash", money(report.expected_cash)))
    if report.counted_cash is not None and report.over_short is not None:
        lines.append(_pair("Counted cash", money(report.counted_cash)))
        label = "Over" if report.over_short > 0 else "Short" if report.over_short < 0 else "Even"
        lines.append(_pair(f"Over/short ({label})", money(report.over_short)))

    lines.append(rule)
    lines.append(_pair("Orders", str(report.order_count)))
    lines.append(_pair("Payments", str(report.payment_count)))
    lines.append(_pair("Refunds", str(report.refund_count)))
    lines.append(_pair("Voided payments", str(report.voided_payment_count)))
    lines.append(double)
    return "\n".join(lines) + "\n"
