"""An order's timeline in words (pure): who did what, and where a status moved.

Each event becomes an `Entry` of encoded messages (domain.messages) that the page renders in the
reader's language. Events stored before notes were encoded (a refund "退款 full/applied 500分",
a rider "push delivering 王师傅", "sweep: receiver_name") are read into the same words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from qihang_app.domain import carriers, partners
from qihang_app.domain.messages import decode, encode
from qihang_app.domain.order_notes import REFUND_KEY, refund_facts, refund_note, rider_note, updated_note
from qihang_app.domain.platform_order import DeliveryStatus

AUTO_ACCEPT = "auto-accept"  # the actor of a shop's automatic accept
MANUAL_NOTE = "orders.event.manual"
_VIA = {
    "push": "timeline.via.push",
    "sweep": "timeline.via.sweep",
    "manual": "timeline.via.manual",
    "detail": "timeline.via.detail",
    "pull": "timeline.via.sweep",
}
_SIMPLE = {
    "status": "timeline.status",
    "accepted": "timeline.accepted",
    "rejected": "timeline.rejected",
    "cancelled": "timeline.cancelled",
    "ready": "timeline.ready",
    "dispatched": "timeline.dispatched",
    "delivered": "timeline.delivered",
    "exception_acknowledged": "timeline.exception_acknowledged",
    "erp_pushed": "timeline.erp_pushed",
    "erp_cancel_pushed": "timeline.erp_cancel_pushed",
    "erp_push_dead": "timeline.erp_push_dead",
    "erp_shipped": "timeline.erp_shipped",
    "erp_shipped_part": "timeline.erp_shipped_part",
    "seller_memo": "timeline.seller_memo",
    "waybill_issued": "timeline.waybill_issued",
    "waybill_cancelled": "timeline.waybill_cancelled",
}
# A platform's status move, named by where it went ("订单取消" reads better than "状态变更").
_MOVED_TO = {s: f"timeline.to.{s}" for s in ("to_ship", "shipped", "completed", "cancelled", "closed")}
_RIDER_STATES = {s.value for s in DeliveryStatus}
_OLD_UPDATED = re.compile(r"(?P<via>[^:]*): (?P<columns>[a-z_]+(?:, [a-z_]+)*)")


@dataclass(frozen=True)
class Entry:
    who: str
    what: str
    moved: tuple[str, str] | None  # (from, to) when the status changed; ("", to) when created
    detail: str = ""  # the reason, the rider, what the platform said
    via: str = ""  # how the message came (平台推送, 定时补单, …)


def who(actor: str, usernames: Mapping[str, str]) -> str:
    """The actor in words: the platform's name, the user's username, 自动接单 or 系统."""
    kind, _, ref = (actor or "").partition(":")
    if kind == "platform":
        found = partners.profile(ref)
        name = {"zh": found.name_zh, "en": found.name_en} if found else ref
        return encode("timeline.who.platform", name=name)
    if kind == "user":
        return encode("timeline.who.user", name=usernames.get(actor) or f"#{ref}")
    if actor == AUTO_ACCEPT:
        return encode("timeline.who.auto")
    if kind == "carrier":  # a carrier's status callback
        return encode("timeline.who.carrier", name={"zh": carriers.name(ref, "zh"), "en": carriers.name(ref, "en")})
    if kind == "rider":  # the store's own rider, from the rider page
        return encode("timeline.who.rider")
    if actor == "auto-dispatch":
        return encode("timeline.who.auto_dispatch")
    return encode("timeline.who.system")


def via_words(via: str | None) -> str:
    """ "push order_paid" → 平台推送, "sweep #3" → 定时补单; "" for anything else."""
    head = (via or "").split(" ", 1)[0].split(":", 1)[0]
    return encode(_VIA[head]) if head in _VIA else ""


def moved(from_status: str | None, to_status: str | None, kind: str) -> tuple[str, str] | None:
    if kind == "created" and to_status:
        return ("", to_status)
    if from_status and to_status and from_status != to_status:
        return (from_status, to_status)
    return None


def describe(
    *,
    actor: str,
    kind: str,
    from_status: str | None,
    to_status: str | None,
    note: str | None,
    usernames: Mapping[str, str],
) -> Entry:
    note = note or ""
    said = who(actor, usernames)
    change = moved(from_status, to_status, kind)
    if kind == "created":
        what = "timeline.created" if actor.startswith("platform:") else "timeline.created_manual"
        detail, via = _detail_and_via("" if note == MANUAL_NOTE else note)
        return Entry(said, encode(what), change, detail, via)
    if kind == "refund":
        return _refund(said, note)
    if kind == "delivery":
        return _rider(said, note)
    if kind == "updated":
        return _updated(said, note)
    if kind.startswith(("delivery_", "auto_dispatch")) and decode(note) is not None:
        return Entry(said, note, change)  # a dispatch step says itself (domain.dispatch_rule, services)
    if kind.endswith("_failed"):
        action = kind.removesuffix("_failed")
        return Entry(said, encode("timeline.call_failed", action=encode(f"action.{action}")), change, note)
    if kind in ("rejected", "cancelled") and note and decode(note) is None:
        reason = note.split(" ", 1)[-1]  # "<reason code> <reason words>" from the board
        return Entry(said, encode(_SIMPLE[kind]), change, encode("timeline.reason", reason=reason))
    if kind == "dispatched" and note:
        return Entry(said, encode(_SIMPLE[kind]), change, encode("timeline.rider", rider=note))
    if kind == "ready" or (kind == "accepted" and actor == AUTO_ACCEPT):
        return Entry(said, encode(_SIMPLE[kind]), change)  # the note only repeats the action
    if kind == "status" and to_status in _MOVED_TO:
        what = encode(_MOVED_TO[to_status])
    else:
        what = encode(_SIMPLE[kind]) if kind in _SIMPLE else encode("timeline.other", kind=kind)
    detail, via = _detail_and_via(note)
    return Entry(said, what, change, detail, via)


def _detail_and_via(note: str) -> tuple[str, str]:
    """A note is how the message came ("push order_paid"), an encoded message (which may carry
    its `via`), or words to show as they are."""
    decoded = decode(note)
    if decoded is not None:
        return note, via_words(str(decoded[1].get("via") or ""))
    via = via_words(note)
    return ("", via) if via else (note, "")


def _refund(said: str, note: str) -> Entry:
    facts = refund_facts(note)
    if facts is None:
        return Entry(said, encode("timeline.refund"), None, note)
    if decode(note) is None:  # stored before notes were encoded: said again in words
        note = refund_note(
            **{
                k: facts[k] or ("" if k != "amount_fen" else None)
                for k in ("kind", "status", "amount_fen", "refund_id", "reason", "via")
            }
        )
    reason = facts.get("reason") or ""
    detail = encode("timeline.reason", reason=reason) if reason else ""
    return Entry(said, note, None, detail, via_words(facts.get("via")))


def _rider(said: str, note: str) -> Entry:
    decoded = decode(note)
    if decoded is None:  # "<via> <rider status> <rider name>", stored before notes were encoded
        words = note.split(" ")
        at = next((i for i, w in enumerate(words) if w in _RIDER_STATES), None)
        if at is None:
            return Entry(said, encode("timeline.delivery"), None, note)
        note = rider_note(via=" ".join(words[:at]), status=words[at], rider_name=" ".join(words[at + 1 :]))
        decoded = decode(note)
    params = decoded[1]
    rider = str(params.get("rider") or "")
    detail = encode("timeline.rider", rider=rider) if rider else ""
    return Entry(said, note, None, detail, via_words(str(params.get("via") or "")))


def _updated(said: str, note: str) -> Entry:
    decoded = decode(note)
    if decoded is None:
        old = _OLD_UPDATED.fullmatch(note)
        if old is None:
            return Entry(said, encode("timeline.updated"), None, note)
        note = updated_note(via=old["via"], columns=old["columns"].split(", "))
        decoded = decode(note)
    return Entry(said, note, None, "", via_words(str(decoded[1].get("via") or "")))


__all__ = ["AUTO_ACCEPT", "Entry", "REFUND_KEY", "describe", "moved", "via_words", "who"]
