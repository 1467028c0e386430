"""The notes ingest writes on an order's events, as encoded messages (domain.messages) so the
timeline reads them in the reader's language: a refund, a cancel reason, a rider's progress, which
details a platform changed. `via` is how the message came ("push order_paid", "sweep #3").

A refund note also identifies the refund message, so a re-delivered one adds nothing: its
identity is the text older notes stored ("退款 partial/applied 300分 #R1 不想要了"), rebuilt from
either kind of note.
"""

from __future__ import annotations

import re

from qihang_app.domain.messages import decode, encode
from qihang_app.domain.money import format_money

REFUND_KEY = "order.event.refund"
# The note of a refund event before notes were encoded: "<identity> (<via>)".
_OLD_REFUND = re.compile(
    r"退款 (?P<kind>\w+)/(?P<status>\w+)(?: (?P<amount_fen>\d+)分)?"
    r"(?: #(?P<refund_id>\S*))?(?: (?P<reason>.*?))??(?: \((?P<via>[^()]*)\))?",
    re.DOTALL,
)

# Snapshot columns grouped as a person names them (the timeline's "订单信息更新：收货信息、金额").
FIELD_GROUPS = {
    "receiver": ("receiver_name", "receiver_phone", "receiver_address", "receiver_lat", "receiver_lng"),
    "memo": ("buyer_memo",),
    "amounts": (
        "goods_fen",
        "freight_fen",
        "packing_fen",
        "platform_discount_fen",
        "merchant_discount_fen",
        "paid_fen",
        "merchant_receivable_fen",
    ),
    "delivery": ("delivery_type", "is_scheduled"),
    "times": ("expected_delivery_at", "ship_deadline_at", "accept_deadline_at", "placed_at", "paid_at"),
    "lines": ("lines",),
    "number": ("display_no", "day_seq"),
}
_GROUP_OF = {column: group for group, columns in FIELD_GROUPS.items() for column in columns}


def refund_identity(*, kind: str, status: str, amount_fen: int | None, refund_id: str, reason: str) -> str:
    amount = "" if amount_fen is None else f" {amount_fen}分"
    return f"退款 {kind}/{status}{amount} #{refund_id} {reason}".strip()


def refund_note(*, kind: str, status: str, amount_fen: int | None, refund_id: str, reason: str, via: str) -> str:
    return encode(
        REFUND_KEY,
        what=encode(f"refund.kind.{kind}"),
        state=encode(f"refund.state.{status}"),
        amount=f" {format_money(amount_fen)}" if amount_fen else "",
        kind=kind,
        status=status,
        amount_fen=amount_fen,
        refund_id=refund_id,
        reason=reason,
        via=via,
    )


def refund_facts(note: str) -> dict | None:
    """kind, status, amount_fen, refund_id, reason and via of a refund note, new or old; None
    when the note is not one."""
    decoded = decode(note)
    if decoded is not None:
        key, params = decoded
        if key != REFUND_KEY:
            return None
        return {name: params.get(name) for name in ("kind", "status", "amount_fen", "refund_id", "reason", "via")}
    old = _OLD_REFUND.fullmatch(note or "")
    if old is None:
        return None
    facts = old.groupdict()
    facts["amount_fen"] = int(facts["amount_fen"]) if facts["amount_fen"] else None
    return {k: ("" if v is None and k != "amount_fen" else v) for k, v in facts.items()}


def recorded_refund_text(note: str) -> str:
    """The identity of the refund a stored refund event note records."""
    facts = refund_facts(note)
    if facts is None:
        return note.rsplit(" (", 1)[0]
    facts.pop("via")
    return refund_identity(**{k: (v if v is not None or k == "amount_fen" else "") for k, v in facts.items()})


def cancel_note(*, via: str, cancelled_by: str, code: str, reason: str) -> str:
    """A platform's cancel: why, when it says (the reason text, else its code)."""
    why = reason or code
    if not why:
        return via
    return encode("order.event.cancel_reason", reason=why, by=cancelled_by, code=code, via=via)


def closed_by_refund_note(*, via: str) -> str:
    return encode("order.event.closed_by_refund", via=via)


def rider_note(*, via: str, status: str, rider_name: str) -> str:
    return encode("order.event.rider", state=encode(f"rider.state.{status}"), status=status, rider=rider_name, via=via)


def updated_note(*, via: str, columns: list[str]) -> str:
    """Which details a platform changed, named as a person names them (each group once)."""
    named: list[str] = []
    for column in columns:
        group = _GROUP_OF.get(column)
        word = encode(f"field.{group}") if group else column
        if word not in named:
            named.append(word)
    return encode("order.event.updated", fields=named, columns=columns, via=via)
