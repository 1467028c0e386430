"""After-sale state machine (pure): the brief's eight states, the seven types, and what an
after-sale means for its order.

Two ways an after-sale changes state, as for orders (domain.order_flow):

* **Local actions** (staff tap 同意 / 拒绝 / 确认收货, an ERP result arrives) go through
  `next_state`, which allows only the moves in `_MOVES` for the record's type.
* **Platform ingest** (push or sweep, at-least-once, out of order) asks `can_move`: the platform is
  the source of truth and may skip steps we never saw, but an older report never replaces a newer
  one and a finished after-sale (退款成功 / 售后关闭) never reopens.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from qihang_app.domain.errors import DomainError
from qihang_app.domain.platform_order import RefundKind, RefundStatus


class AfterSaleState(StrEnum):
    PENDING = "pending"  # 退款申请待处理
    REFUSED = "refused"  # 拒绝退款待买家处理
    APPROVED = "approved"  # 同意退款待买家退货
    RETURNED = "returned"  # 买家已退货待确认收货
    RECEIPT_REFUSED = "receipt_refused"  # 拒绝收货待买家处理
    REFUNDING = "refunding"  # 退款处理中
    REFUNDED = "refunded"  # 退款成功
    CLOSED = "closed"  # 售后关闭


class AfterSaleType(StrEnum):
    PRESALE_REFUND = "presale_refund"  # 售前退款 (not yet shipped)
    REFUND_ONLY = "refund_only"  # 仅退款
    RETURN_REFUND = "return_refund"  # 退货退款
    EXCHANGE = "exchange"  # 换货
    RESEND = "resend"  # 补发
    REPAIR = "repair"  # 维修
    INTERCEPT = "intercept"  # 拦截 (stop a shipment on its way)


class AfterSaleAction(StrEnum):
    AGREE = "agree"  # 同意 (refund, or the return request)
    REJECT = "reject"  # 拒绝
    BUYER_SHIPPED = "buyer_shipped"  # the buyer sent the goods back (waybill known)
    CONFIRM_RECEIPT = "confirm_receipt"  # 确认收货: the goods are back
    REFUSE_RECEIPT = "refuse_receipt"  # 拒绝收货
    REFUND_PAID = "refund_paid"  # the money went back
    RESOLVE = "resolve"  # 补发 / 换货 / 维修 / 拦截 done without money back
    CLOSE = "close"  # buyer withdrew, or the platform closed it


class OrderAfterSale(StrEnum):
    """An order's (or one line's) after-sale state, shown beside its status."""

    NONE = "none"  # 无售后
    IN_PROGRESS = "in_progress"  # 售后中
    REFUNDING = "refunding"  # 退款中
    REFUNDED = "refunded"  # 退款成功 (all of it)
    PARTLY_REFUNDED = "partly_refunded"  # 部分退款


S, A, T = AfterSaleState, AfterSaleAction, AfterSaleType

STATE_ZH = MappingProxyType(
    {
        S.PENDING: "退款申请待处理",
        S.REFUSED: "拒绝退款待买家处理",
        S.APPROVED: "同意退款待买家退货",
        S.RETURNED: "买家已退货待确认收货",
        S.RECEIPT_REFUSED: "拒绝收货待买家处理",
        S.REFUNDING: "退款处理中",
        S.REFUNDED: "退款成功",
        S.CLOSED: "售后关闭",
    }
)
TYPE_ZH = MappingProxyType(
    {
        T.PRESALE_REFUND: "售前退款",
        T.REFUND_ONLY: "仅退款",
        T.RETURN_REFUND: "退货退款",
        T.EXCHANGE: "换货",
        T.RESEND: "补发",
        T.REPAIR: "维修",
        T.INTERCEPT: "拦截",
    }
)

FINISHED = frozenset({S.REFUNDED, S.CLOSED})
# Types whose goods come back before anything else happens.
GOODS_BACK = frozenset({T.RETURN_REFUND, T.EXCHANGE, T.REPAIR})
# Types that end with money back (the others end with goods sent or a parcel stopped).
MONEY_BACK = frozenset({T.PRESALE_REFUND, T.REFUND_ONLY, T.RETURN_REFUND, T.INTERCEPT})

_COMMON = {
    (S.PENDING, A.REJECT): S.REFUSED,
    (S.PENDING, A.CLOSE): S.CLOSED,
    (S.REFUSED, A.CLOSE): S.CLOSED,
    (S.RECEIPT_REFUSED, A.CLOSE): S.CLOSED,
}
_GOODS_BACK = {
    (S.PENDING, A.AGREE): S.APPROVED,
    (S.APPROVED, A.BUYER_SHIPPED): S.RETURNED,
    (S.APPROVED, A.CLOSE): S.CLOSED,
    (S.RETURNED, A.REFUSE_RECEIPT): S.RECEIPT_REFUSED,
    (S.RECEIPT_REFUSED, A.BUYER_SHIPPED): S.RETURNED,
}
_MOVES: MappingProxyType[AfterSaleType, MappingProxyType] = MappingProxyType(
    {
        T.PRESALE_REFUND: MappingProxyType(
            {**_COMMON, (S.PENDING, A.AGREE): S.REFUNDING, (S.REFUNDING, A.REFUND_PAID): S.REFUNDED}
        ),
        T.REFUND_ONLY: MappingProxyType(
            {**_COMMON, (S.PENDING, A.AGREE): S.REFUNDING, (S.REFUNDING, A.REFUND_PAID): S.REFUNDED}
        ),
        T.INTERCEPT: MappingProxyType(
            {**_COMMON, (S.PENDING, A.AGREE): S.REFUNDING, (S.REFUNDING, A.REFUND_PAID): S.REFUNDED}
        ),
        T.RETURN_REFUND: MappingProxyType(
            {
                **_COMMON,
                **_GOODS_BACK,
                (S.RETURNED, A.CONFIRM_RECEIPT): S.REFUNDING,
                (S.REFUNDING, A.REFUND_PAID): S.REFUNDED,
            }
        ),
        T.EXCHANGE: MappingProxyType(
            {**_COMMON, **_GOODS_BACK, (S.RETURNED, A.CONFIRM_RECEIPT): S.REFUNDING, (S.REFUNDING, A.RESOLVE): S.CLOSED}
        ),
        T.REPAIR: MappingProxyType(
            {**_COMMON, **_GOODS_BACK, (S.RETURNED, A.CONFIRM_RECEIPT): S.REFUNDING, (S.REFUNDING, A.RESOLVE): S.CLOSED}
        ),
        T.RESEND: MappingProxyType({**_COMMON, (S.PENDING, A.AGREE): S.REFUNDING, (S.REFUNDING, A.RESOLVE): S.CLOSED}),
    }
)

# Ingest order: how far along an after-sale is (finished states share the top rank).
_RANK = MappingProxyType(
    {
        S.PENDING: 0,
        S.REFUSED: 1,
        S.APPROVED: 2,
        S.RETURNED: 3,
        S.RECEIPT_REFUSED: 4,
        S.REFUNDING: 5,
        S.REFUNDED: 6,
        S.CLOSED: 6,
    }
)


class IllegalAfterSaleMove(DomainError):
    def __init__(self, state: AfterSaleState, action: AfterSaleAction, kind: AfterSaleType) -> None:
        self.state, self.action, self.kind = S(state), A(action), T(kind)
        super().__init__(f"售后 {TYPE_ZH[self.kind]} 在 {STATE_ZH[self.state]} 时不能 {self.action.value}")

    def __reduce__(self):
        return (type(self), (self.state, self.action, self.kind))


def allowed_actions(state: AfterSaleState, kind: AfterSaleType) -> tuple[AfterSaleAction, ...]:
    table = _MOVES[T(kind)]
    return tuple(a for a in A if (S(state), a) in table)


def next_state(state: AfterSaleState, action: AfterSaleAction, kind: AfterSaleType) -> AfterSaleState:
    target = _MOVES[T(kind)].get((S(state), A(action)))
    if target is None:
        raise IllegalAfterSaleMove(state, action, kind)
    return target


def is_finished(state: AfterSaleState) -> bool:
    return S(state) in FINISHED


def can_move(
    stored: AfterSaleState,
    stored_at: datetime | None,
    reported: AfterSaleState,
    reported_at: datetime | None,
) -> bool:
    """Whether a platform report may replace the stored state (ingest, out of order).

    A finished after-sale stays finished and a finished report always wins (the money went back,
    whatever the clocks say); otherwise a newer report wins (a refused request may come back
    to pending when the buyer appeals); at the same or unknown time, only forward progress."""
    stored, reported = S(stored), S(reported)
    if stored == reported or stored in FINISHED:
        return False
    if reported in FINISHED:
        return True
    if stored_at is not None and reported_at is not None and reported_at != stored_at:
        return reported_at > stored_at
    return _RANK[reported] > _RANK[stored]


def merge_report(
    stored: AfterSaleState, stored_at: datetime | None, reported: AfterSaleState, reported_at: datetime | None
) -> tuple[AfterSaleState, datetime | None]:
    """(state, as-of time) after a platform report: `can_move`, and a repeat of the stored state
    only moves the as-of time forward (so an older report cannot slip in after it)."""
    if S(stored) == S(reported) and not is_finished(stored):
        times = [t for t in (stored_at, reported_at) if t is not None]
        return S(stored), max(times) if times else None
    if can_move(stored, stored_at, reported, reported_at):
        return S(reported), reported_at
    return S(stored), stored_at


def from_platform(status: RefundStatus, kind: AfterSaleType) -> AfterSaleState:
    """The state a platform's unified refund status means for an after-sale of `kind`."""
    status = RefundStatus(status)
    if status is RefundStatus.APPLIED:
        return S.PENDING
    if status is RefundStatus.REJECTED:
        return S.REFUSED
    if status is RefundStatus.AGREED:
        return S.APPROVED if T(kind) in GOODS_BACK else S.REFUNDING
    if status is RefundStatus.RETURN_SHIPPED:
        return S.RETURNED
    if status is RefundStatus.SUCCEEDED:
        return S.REFUNDED
    if status is RefundStatus.FAILED:
        return S.REFUNDING  # the money did not go: still to be paid
    return S.CLOSED


def type_for(kind: RefundKind, *, shipped: bool) -> AfterSaleType:
    """The after-sale type a platform refund of `kind` is, before or after the goods left."""
    if RefundKind(kind) is RefundKind.RETURN_GOODS:
        return T.RETURN_REFUND
    return T.REFUND_ONLY if shipped else T.PRESALE_REFUND


# ---- what after-sales mean for the order --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Claim:
    """One after-sale's part of an order (or of one line): its state and the money concerned."""

    state: AfterSaleState
    amount_fen: int
    kind: AfterSaleType = T.REFUND_ONLY


def combined_state(claims: Iterable[Claim], paid_fen: int) -> OrderAfterSale:
    """无售后 / 售后中 / 退款中 / 退款成功 / 部分退款 of an order or line paid `paid_fen`.

    Anything still open decides first (退款中 when money is about to go back, else 售后中); then
    what was refunded: all of it is 退款成功, some of it 部分退款."""
    claims = list(claims)
    open_claims = [c for c in claims if not is_finished(c.state)]
    if any(c.state is S.REFUNDING and c.kind in MONEY_BACK for c in open_claims):
        return OrderAfterSale.REFUNDING
    if open_claims:
        return OrderAfterSale.IN_PROGRESS
    refunded = sum(max(0, c.amount_fen) for c in claims if c.state is S.REFUNDED)
    if refunded <= 0:
        return OrderAfterSale.NONE
    return OrderAfterSale.REFUNDED if refunded >= paid_fen else OrderAfterSale.PARTLY_REFUNDED


def closes_order(claims: Iterable[Claim], paid_fen: int) -> bool:
    """A paid order refunded in full is closed (交易关闭, order_flow REFUND_FULL)."""
    return paid_fen > 0 and combined_state(claims, paid_fen) is OrderAfterSale.REFUNDED


def seconds_left(deadline: datetime | None, now: datetime) -> int | None:
    """Seconds until the platform decides by itself (negative once past); None without one."""
    if deadline is None:
        return None
    return int((deadline - now).total_seconds())


def countdown_text(seconds: int | None) -> str:
    """`12小时5分`, `3分12秒`, `已超时` — the way the board words durations."""
    if seconds is None:
        return ""
    if seconds <= 0:
        return "已超时"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}小时{minutes}分"
    if minutes:
        return f"{minutes}分{secs}秒"
    return f"{secs}秒"
