"""The board card as the browser gets it: one view per card version, shared by every board of
this process (built once, hashed so the browser re-renders a card only when it changed)."""

from __future__ import annotations

import dataclasses
import hashlib

from qihang_app.domain import partners
from qihang_app.domain.board import EndMark, reject_reasons, shows_deadline
from qihang_app.domain.messages import decode
from qihang_app.domain.money import format_money
from qihang_app.i18n import render, tr, tr_known
from qihang_app.services import board as board_service
from state.rider_view import carrier_on_its_way, rider_fields


@dataclasses.dataclass
class ItemView:
    name: str = ""
    spec: str = ""
    qty: int = 1


REFUND_PREFIXES = ("attention.refund", "attention.partial_refund")


@dataclasses.dataclass
class CardView:
    id: int = 0
    tab: str = ""
    platform: str = ""
    seq: str = ""
    no: str = ""
    platform_order_id: str = ""
    shop: str = ""
    placed_ms: int = 0
    accept_deadline_ms: int = 0
    promised_ms: int = 0
    scheduled: bool = False
    lines: list[ItemView] = dataclasses.field(default_factory=list)
    memo: str = ""
    receiver: str = ""
    phone: str = ""
    callable_phone: str = ""
    address: str = ""
    distance: str = ""
    amount: str = ""
    delivery: str = ""
    rider: str = ""
    pending: str = ""
    error: str = ""
    error_en: str = ""
    exception: str = ""
    exception_en: str = ""  # a view serves every board of the process, whatever its language
    after_sale: bool = False  # the 异常 is a refund: the card links to its after-sale record
    auto: bool = False
    action: str = ""
    can_reject: bool = False  # the platform has a reject call (or the order is the OMS's own)
    can_part_refund: bool = False  # the platform has a 缺货退款 call
    elsewhere: str = ""  # "拒单请在…后台操作" where the platform has no call for it
    elsewhere_en: str = ""
    mark: str = ""  # EndMark: 已取消 / 已拒单 / 已退款
    cancelled_by: str = ""
    cancel_reason: str = ""
    countdown: bool = True  # a 接单/送达 countdown still matters
    short: str = ""  # 缺货: what stock could not hold for this order
    short_en: str = ""
    rider_status: str = ""  # DeliveryStatus of the current ride ("" without one)
    rider_carrier: str = ""
    rider_carrier_en: str = ""
    rider_name: str = ""
    rider_tel: str = ""  # tap to call
    eta_ms: int = 0
    can_call: bool = False  # 呼叫骑手: the store delivers it and no ride is on its way
    can_manage: bool = False  # a carrier's ride before pickup: tip, cancel and call another
    rev: str = ""  # a hash of everything above: the browser re-renders a card only when it changes


def _ms(dt) -> int:
    return int(dt.timestamp() * 1000) if dt else 0


def view_of(card: board_service.Card) -> CardView:
    """The view of a card, built once per card version for every board of this process. It is
    kept on the (frozen) card itself, so it goes when the shared copy drops or replaces the card."""
    view = card.__dict__.get("_view")
    if view is None:
        view = card.__dict__["_view"] = _view(card)
    return view


def _view(card: board_service.Card) -> CardView:
    view = _fields(card)
    if carrier_on_its_way(view):
        view.action = ""  # a carrier's rider is coming: no 自配送出发 (the card says it waits)
    view.rev = hashlib.blake2b(repr(view).encode(), digest_size=8).hexdigest()
    return view


def _short(card: board_service.Card, lang: str) -> str:
    items = "、".join(f"{line.name} ×{line.short}" for line in card.lines if line.short)
    return tr("stock.short", lang, items=items) if items else ""


def _fields(card: board_service.Card) -> CardView:
    phone = card.receiver_phone
    # A privacy number "13019793247_8284" is dialled as the number, a pause, then the extension.
    plain = phone.replace("-", "").replace(" ", "").replace("_", ",,")
    return CardView(
        id=card.id,
        tab=card.tab.value,
        platform=card.platform,
        seq=f"#{card.day_seq}" if card.day_seq else card.display_no[-4:],
        no=card.display_no,
        platform_order_id=card.platform_order_id,
        shop=card.shop_name,
        placed_ms=_ms(card.placed_at),
        accept_deadline_ms=_ms(card.accept_deadline_at),
        promised_ms=_ms(card.expected_delivery_at),
        scheduled=card.is_scheduled,
        lines=[ItemView(line.name, line.spec, line.quantity) for line in card.lines],
        memo=card.buyer_memo,
        receiver=card.receiver_name,
        phone=phone,
        callable_phone=plain if plain.replace(",", "").isdigit() else "",  # masked numbers cannot be dialled
        address=card.receiver_address,
        distance=card.distance,
        amount=format_money(card.paid_fen),
        delivery=card.delivery_type,
        rider=" ".join(x for x in (card.rider_name, card.rider_phone) if x),
        pending=card.pending_action,
        error=tr_known(card.action_error, "zh"),
        error_en=tr_known(card.action_error, "en"),
        exception=render(card.exception_reason, "zh"),
        exception_en=render(card.exception_reason, "en"),
        after_sale=(decode(card.exception_reason or "") or ("",))[0].startswith(REFUND_PREFIXES),
        auto=card.auto_accepted,
        action=card.primary_action,
        can_reject=bool(reject_reasons(card.platform)),
        can_part_refund=partners.supports(card.platform, "partial_refund"),
        elsewhere=getattr(partners.profile(card.platform), "elsewhere_zh", ""),
        elsewhere_en=getattr(partners.profile(card.platform), "elsewhere_en", ""),
        mark=card.end_mark,
        cancelled_by=card.cancelled_by,
        cancel_reason=card.cancel_reason,
        countdown=shows_deadline(tab=card.tab, mark=EndMark(card.end_mark) if card.end_mark else None),
        short=_short(card, "zh"),
        short_en=_short(card, "en"),
        **rider_fields(card),
    )
