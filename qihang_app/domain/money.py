"""Money is integer fen (分) everywhere inside the OMS; yuan exist only at the edges.

Rules decided here:

* Rounding to fen is half away from zero (ROUND_HALF_UP on the absolute value): 0.005 → 1 fen,
  -0.005 → -1 fen, so a refund mirrors its payment.
* Negative amounts are allowed (refunds, price adjustments). `allocate` of a negative total is
  the mirror of the positive one: allocate(-t, w) == [-p for p in allocate(t, w)].
* Amounts of 10^16 yuan or more are rejected as garbage (also keeps "1E+999999" from blowing up).
* bool is rejected wherever a number is expected (True is an int in Python, never a price).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from qihang_app.domain.errors import DomainError

_MAX_YUAN_DIGITS = 16  # integer digits; 10^16 yuan is far beyond any real order
# Optional sign, optional ¥/￥ (either side of the sign), digits with optional thousands commas.
_YUAN_TEXT = re.compile(
    r"(?P<sign>[+-]?)\s*[¥￥]?\s*(?P<sign2>[+-]?)"
    r"(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)"
)


class MoneyError(DomainError):
    """A value is not a valid amount of money, or an allocation is impossible."""


def _to_decimal(value: str | int | float | Decimal) -> Decimal:
    if isinstance(value, bool):
        raise MoneyError(f"金额无效 invalid amount: {value!r} (bool)")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr() is the shortest string that round-trips: 19.99 → "19.99", not 19.989999...
        return Decimal(repr(value))
    if isinstance(value, str):
        match = _YUAN_TEXT.fullmatch(value.strip())
        if match is None or (match["sign"] and match["sign2"]):
            raise MoneyError(f"金额格式无效 invalid amount: {value!r}")
        sign = match["sign"] or match["sign2"]
        return Decimal(sign + match["num"].replace(",", ""))
    raise MoneyError(f"金额类型无效 invalid amount type: {value!r} ({type(value).__name__})")


def yuan_to_fen(value: str | int | float | Decimal) -> int:
    """Yuan (元) → integer fen, exactly, rounding half away from zero.

    Accepts int, float (via its repr, so 0.1 + 0.2 → 30), Decimal, and text like "16.9",
    "-5", "¥1,234.50", "-¥1.00" (the output of `format_money` parses back).
    Raises MoneyError for NaN, infinity, garbage, or absurdly large amounts.
    """
    amount = _to_decimal(value)
    if not amount.is_finite():
        raise MoneyError(f"金额无效 invalid amount: {value!r} (not finite)")
    if amount and amount.adjusted() >= _MAX_YUAN_DIGITS:
        raise MoneyError(f"金额过大 amount too large: {value!r}")
    with localcontext() as ctx:
        ctx.prec = len(amount.as_tuple().digits) + 4  # × 100 must stay exact
        try:
            return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))
        except InvalidOperation as exc:  # pragma: no cover - guarded above
            raise MoneyError(f"金额无效 invalid amount: {value!r}") from exc


def _check_fen(fen: int, name: str = "fen") -> int:
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise MoneyError(f"{name} must be an integer number of fen, got {fen!r}")
    return fen


def fen_to_yuan_str(fen: int) -> str:
    """1690 → "16.90"; -5 → "-0.05". No currency sign, no thousands separators."""
    _check_fen(fen)
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{cents:02d}"


def format_money(fen: int) -> str:
    """1690 → "¥16.90"; -100 → "-¥1.00" (the sign goes before ¥)."""
    text = fen_to_yuan_str(fen)
    return f"-¥{text[1:]}" if text.startswith("-") else f"¥{text}"


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` fen proportionally to `weights`; the parts always sum to `total`.

    Largest remainder method: everyone gets floor(total × w / Σw), the leftover fen go one each
    to the largest remainders, ties to the earlier index. Each part is within 1 fen of its exact
    share, and a zero weight gets 0 - unless every weight is 0, then the split is equal.
    Negative `total` mirrors the positive split; negative weights raise MoneyError.
    """
    _check_fen(total, "total")
    weights = [_check_fen(w, "weight") for w in weights]
    if any(w < 0 for w in weights):
        raise MoneyError(f"分摊权重不能为负 negative weight in {weights}")
    if not weights:
        if total:
            raise MoneyError(f"无可分摊的行 nothing to allocate {total} fen to")
        return []
    if total < 0:
        return [-part for part in allocate(-total, weights)]
    if not any(weights):
        weights = [1] * len(weights)
    weight_sum = sum(weights)
    shares = [divmod(total * w, weight_sum) for w in weights]
    parts = [floor for floor, _ in shares]
    leftover = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-shares[i][1], i))
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return parts


def allocate_discount(discount_fen: int, line_amounts_fen: Sequence[int]) -> list[int]:
    """Spread an order-level discount over lines in proportion to their amounts.

    No line ever gets more discount than its own amount (guaranteed by `allocate` because the
    discount is at most the sum). Raises MoneyError if the discount or an amount is negative, or
    the discount exceeds the sum of the line amounts.
    """
    _check_fen(discount_fen, "discount")
    amounts = [_check_fen(a, "line amount") for a in line_amounts_fen]
    if discount_fen < 0:
        raise MoneyError(f"优惠金额不能为负 negative discount: {discount_fen}")
    if any(a < 0 for a in amounts):
        raise MoneyError(f"行金额不能为负 negative line amount in {amounts}")
    if discount_fen > sum(amounts):
        raise MoneyError(
            f"优惠 {format_money(discount_fen)} 超过商品金额 {format_money(sum(amounts))} (discount exceeds line total)"
        )
    return allocate(discount_fen, amounts)
