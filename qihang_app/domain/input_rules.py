"""What a person may type into the app's forms: lengths, formats and number ranges.

Every rule takes what was typed and returns the clean value, or raises InputError with a message
key of the catalog (qihang_app/i18n_services.py). Services enforce the rules (they are the last
word); states run the same rules first so every bad field gets its message at once, and
components put LIMITS into the inputs' maxlength.

Free text refuses control characters, "<" / ">" (nobody's shop or street needs markup) and emoji:
names, addresses and memos print on 58/80 mm thermal tickets whose fonts have no emoji.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from qihang_app.domain.errors import DomainError

# Longest text per input, in characters (what maxlength says and what services check).
LIMITS: dict[str, int] = {
    "store_name": 40,
    "shop_name": 40,
    "address": 200,
    "phone": 20,
    "opening_hours": 60,
    "coordinate": 12,
    "platform_shop_id": 64,
    "app_key": 128,
    "app_secret": 256,
    "username": 32,
    "display_name": 30,
    "password": 128,
    "receiver_name": 30,
    "memo": 200,
    "item_name": 60,
    "sku_code": 40,
    # numbers get room for an absurd value, so it is answered with the range instead of being cut
    # by the browser into a valid-looking one (999999999 → 9999)
    "quantity": 9,
    "money": 16,
    "hourly_cap": 9,
    "search": 40,
    "category": 30,
    "unit": 10,
    "spec_value": 30,
    "weight": 9,
    "reason": 200,
}
MIN_USERNAME = 3
MAX_QUANTITY = 9_999
MAX_UNIT_PRICE_FEN = 9_999_999  # ¥99,999.99 per item
MAX_FREIGHT_FEN = 999_999  # ¥9,999.99
MAX_LINES = 50
MAX_HOURLY_CAP = 9_999
MAX_WEIGHT_G = 1_000_000  # 1 t: nothing a rider carries weighs more

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MARKUP = re.compile(r"[<>]")
# Astral planes (most emoji), dingbats/symbols, variation selectors and the zero-width joiner.
_EMOJI = re.compile("[\U00010000-\U0010ffff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\u20e3]")
_PHONE = re.compile(r"\+?[0-9][0-9 \-]{2,18}[0-9](?:[#,][0-9]{1,6})?")  # 138 1234 5678, 021-6288-1234, +86…
_HHMM = r"(?:[01]\d|2[0-3]):[0-5]\d"
_HOURS = re.compile(rf"{_HHMM}-(?:{_HHMM}|24:00)(?:,{_HHMM}-(?:{_HHMM}|24:00))*")
_USERNAME = re.compile(r"[a-z0-9][a-z0-9_.\-]*")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-/]*")  # platform shop ids, SKU codes
_SECRET = re.compile(r"[^\s\x00-\x1f\x7f\U00010000-\U0010ffff\u2600-\u27bf\ufe0f\u200d]+")  # no spaces, controls, emoji
_SEARCH = re.compile(r"[#\sA-Za-z0-9_\-]*")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_YUAN = re.compile(r"[¥￥]?\s*(-?)(\d{1,3}(?:,\d{3})+|\d+)?(\.\d*)?")


class InputError(DomainError):
    """One typed value broke a rule: `key` names the catalog message, `field` the input."""

    def __init__(self, key: str, *, field: str = "", **params: object) -> None:
        self.key = key
        self.field = field
        self.params = params
        super().__init__(key)


def text(value: object, *, limit: str, required: bool = False, required_key: str = "input.required") -> str:
    """Free text of one line: trimmed, at most LIMITS[limit] characters, no markup or emoji."""
    clean = str(value or "").strip()
    if not clean:
        if required:
            raise InputError(required_key)
        return ""
    if len(clean) > LIMITS[limit]:
        raise InputError("input.too_long", limit=LIMITS[limit], length=len(clean))
    if _CONTROL.search(clean) or _MARKUP.search(clean) or _EMOJI.search(clean):
        raise InputError("input.bad_chars")
    return clean


def _shaped(value: object, limit: str, pattern: re.Pattern[str], key: str, *, required: bool = False) -> str:
    clean = str(value or "").strip()
    if not clean:
        if required:
            raise InputError("input.required")
        return ""
    if len(clean) > LIMITS[limit]:
        raise InputError("input.too_long", limit=LIMITS[limit], length=len(clean))
    if not pattern.fullmatch(clean):
        raise InputError(key)
    return clean


def phone(value: object, *, required: bool = False) -> str:
    """Digits with spaces or dashes, optional +country and #extension; masked numbers
    (138****5678) come only from platforms, never from a form."""
    return _shaped(value, "phone", _PHONE, "input.bad_phone", required=required)


def hhmm(value: object) -> str:
    """ "09:30" (what <input type=time> sends) or empty."""
    return _shaped(value, "opening_hours", re.compile(_HHMM), "input.bad_time")


def opening_hours(value: object) -> str:
    """ "09:00-22:00", several ranges separated by commas, or empty."""
    return _shaped(str(value or "").replace(" ", ""), "opening_hours", _HOURS, "input.bad_hours")


def _coordinate(value: object, bound: int, key: str) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not -bound <= value <= bound:  # NaN fails too
            raise InputError(key)
        return float(value)
    clean = str(value if value is not None else "").strip()
    if not clean:
        return None
    if len(clean) > LIMITS["coordinate"] or not _NUMBER.fullmatch(clean) or not -bound <= float(clean) <= bound:
        raise InputError(key)
    return float(clean)


def latitude(value: object) -> float | None:
    return _coordinate(value, 90, "input.bad_lat")


def longitude(value: object) -> float | None:
    return _coordinate(value, 180, "input.bad_lng")


def username(value: object) -> str:
    """Lower-cased; 3–32 of a–z, 0–9, "_", "." and "-" (it is typed on a phone at every login)."""
    clean = str(value or "").strip().lower()
    if not clean:
        raise InputError("users.err.username_required")
    if len(clean) > LIMITS["username"]:
        raise InputError("input.too_long", limit=LIMITS["username"], length=len(clean))
    if len(clean) < MIN_USERNAME or not _USERNAME.fullmatch(clean):
        raise InputError("input.bad_username", n=MIN_USERNAME, limit=LIMITS["username"])
    return clean


def code(value: object, *, limit: str, required: bool = False, required_key: str = "input.required") -> str:
    """An identifier: platform shop id, SKU code (letters, digits and _ . : - /)."""
    clean = str(value or "").strip()
    if not clean and required:
        raise InputError(required_key)
    return _shaped(clean, limit, _CODE, "input.bad_code")


def secret(value: object, *, limit: str) -> str:
    """An app key or secret: no spaces, control characters or emoji, or empty (keep the stored one)."""
    return _shaped(value, limit, _SECRET, "input.bad_secret")


def search(value: object) -> str:
    """The orders search box: an order number, a phone tail or "#12"."""
    return _shaped(value, "search", _SEARCH, "input.bad_search")


def whole(value: object, *, minimum: int, maximum: int, limit: str = "quantity") -> int:
    """A whole number typed (or passed) in minimum..maximum."""
    if isinstance(value, bool):
        raise InputError("input.bad_whole", minimum=minimum, maximum=maximum)
    if isinstance(value, int):
        number = value
    else:
        clean = str(value or "").strip()
        if len(clean) > LIMITS[limit] and clean.lstrip("-").isdigit():
            raise InputError("input.whole_range", minimum=minimum, maximum=maximum)
        if not re.fullmatch(r"-?\d+", clean):
            raise InputError("input.bad_whole", minimum=minimum, maximum=maximum)
        number = int(clean)
    if not minimum <= number <= maximum:
        raise InputError("input.whole_range", minimum=minimum, maximum=maximum)
    return number


def quantity(value: object) -> int:
    return whole(value, minimum=1, maximum=MAX_QUANTITY)


def hourly_cap(value: object) -> int | None:
    """Empty means no limit."""
    if value is None or str(value).strip() == "":
        return None
    return whole(value, minimum=1, maximum=MAX_HOURLY_CAP, limit="hourly_cap")


def fen_in_range(fen: object, *, maximum: int) -> int:
    """An amount already in fen (from code, not typed): 0..maximum."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise InputError("input.bad_money")
    if not 0 <= fen <= maximum:
        raise InputError("input.money_range", maximum=_yuan_text(maximum))
    return fen


def money(value: object, *, maximum: int) -> int:
    """Yuan typed by a person ("16.9", "¥1,234.50", empty = 0) → fen in 0..maximum."""
    clean = str(value if value is not None else "").strip()
    if not clean:
        return 0
    if len(clean) > LIMITS["money"]:
        raise InputError("input.money_range", maximum=_yuan_text(maximum))
    match = _YUAN.fullmatch(clean)
    if match is None or not (match[2] or (match[3] or "")[1:]):
        raise InputError("input.bad_money")
    if match[1]:
        raise InputError("input.money_range", maximum=_yuan_text(maximum))
    decimals = (match[3] or ".")[1:]
    if len(decimals) > 2:
        raise InputError("input.bad_money")
    try:
        fen = int(Decimal((match[2] or "0").replace(",", "")) * 100) + int((decimals + "00")[:2])
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits digits only
        raise InputError("input.bad_money") from exc
    return fen_in_range(fen, maximum=maximum)


def _yuan_text(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def check(field: str, rule: Callable[..., object], value: object, **options: object):
    """rule(value, **options) with the field's name put on a refusal."""
    try:
        return rule(value, **options)
    except InputError as exc:
        exc.field = field
        raise


def check_all(checks: dict[str, tuple]) -> tuple[dict[str, object], dict[str, InputError]]:
    """Run {field: (rule, value, options?)}; the clean values and every field's refusal."""
    values: dict[str, object] = {}
    problems: dict[str, InputError] = {}
    for field, (rule, value, *rest) in checks.items():
        try:
            values[field] = check(field, rule, value, **(rest[0] if rest else {}))
        except InputError as exc:
            problems[field] = exc
    return values, problems
