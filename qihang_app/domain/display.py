"""Pure formatting for the UI: Shanghai time, durations, masked phone numbers.

Times are stored as aware UTC and always shown in Asia/Shanghai, whatever the server's zone.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

from qihang_app.domain.clock import SHANGHAI
from qihang_app.domain.errors import DomainError

_MOBILE = re.compile(r"(?:\+?86)?(1\d{10})")
# Privacy (virtual) numbers come with an extension: "13812345678_1234", "13812345678,1234".
_EXTENSION = re.compile(r"(?P<main>[^_,#转]+)(?P<ext>[_,#转].*)")


class NaiveDatetimeError(DomainError, ValueError):
    """A datetime without tzinfo reached the display layer (stored times must be aware UTC)."""


def to_shanghai(dt: datetime) -> datetime:
    """Aware datetime → the same instant in Asia/Shanghai. Naive input raises (no guessing)."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise NaiveDatetimeError(f"naive datetime cannot be shown safely: {dt!r}")
    return dt.astimezone(SHANGHAI)


def format_time(dt: datetime, now: datetime) -> str:
    """ "14:05" on the same Shanghai day as `now`, "11-21 14:05" in the same year, else
    "2023-11-21 14:05" (month-day alone would be ambiguous across years)."""
    local, today = to_shanghai(dt), to_shanghai(now)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if local.year == today.year:
        return local.strftime("%m-%d %H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def format_duration(seconds: int | float, lang: str = "zh") -> str:
    """Elapsed time for timers ("waiting 3分12秒").

    Under 10 minutes: minutes and seconds ("3分12秒", "45秒"; en "3m 12s", "45s").
    10 minutes up to an hour: whole minutes ("12分钟"; en "12 min").
    An hour or more: hours and minutes ("1小时5分"; en "1 h 5 min"); hours are not rolled up
    into days. A zero trailing part is dropped ("3分", "2小时"). Fractions of a second are
    truncated; a negative duration (overdue countdown) gets a leading "-".
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"unsupported language: {lang!r}")
    is_number = isinstance(seconds, (int, float)) and not isinstance(seconds, bool)
    if not is_number or not math.isfinite(seconds):
        raise ValueError(f"duration must be a number of seconds, got {seconds!r}")
    sign = "-" if seconds < 0 else ""
    total = int(abs(seconds))
    zh = lang == "zh"
    if total < 600:
        minutes, secs = divmod(total, 60)
        if minutes == 0:
            text = f"{secs}秒" if zh else f"{secs}s"
        elif secs == 0:
            text = f"{minutes}分" if zh else f"{minutes}m"
        else:
            text = f"{minutes}分{secs}秒" if zh else f"{minutes}m {secs}s"
    elif total < 3600:
        minutes = total // 60
        text = f"{minutes}分钟" if zh else f"{minutes} min"
    else:
        hours, minutes = divmod(total // 60, 60)
        if minutes == 0:
            text = f"{hours}小时" if zh else f"{hours} h"
        else:
            text = f"{hours}小时{minutes}分" if zh else f"{hours} h {minutes} min"
    return sign + text


def _split_extension(phone: str) -> tuple[str, str]:
    match = _EXTENSION.fullmatch(phone)
    return (match["main"], match["ext"]) if match else (phone, "")


def mask_phone(phone: str | None) -> str:
    """Phone for display.

    * Already masked by the platform (contains "*"): returned unchanged.
    * Chinese mobile (optionally +86, spaces/dashes ignored): "138****5678"; a privacy-number
      extension is kept ("138****5678_1234") because the rider/merchant needs it to call.
    * Anything else (landline, foreign): all but the last 4 characters of the number become "*"
      (any extension is kept).
    """
    if not phone:
        return ""
    phone = phone.strip()
    if "*" in phone:
        return phone
    main, ext = _split_extension(phone)
    mobile = _MOBILE.fullmatch(re.sub(r"[\s-]", "", main))
    if mobile:
        digits = mobile.group(1)
        return f"{digits[:3]}****{digits[-4:]}{ext}"
    if len(main) <= 4:
        return "*" * len(main) + ext
    return "*" * (len(main) - 4) + main[-4:] + ext


def _tail(part: str) -> str:
    digits = re.sub(r"\D", "", part)
    return digits[-4:] if len(digits) >= 4 else ""


def phone_tail(phone: str | None) -> str:
    """Last 4 digits of the main number (before any extension); "" if fewer."""
    return _tail(_split_extension(phone.strip())[0]) if phone else ""


def extension_tail(phone: str | None) -> str:
    """Last 4 digits of a privacy number's extension ("13812345678_1234" → "1234"); "" if none."""
    return _tail(_split_extension(phone.strip())[1]) if phone else ""


def phone_tails(phone: str | None) -> tuple[str, ...]:
    """Every tail staff may type to find an order by phone ("尾号" search), the number's own
    first: "17926818563_5885" → ("8563", "5885"). A privacy (virtual) number is dialled with its
    extension, and the extension is what the buyer's and the platform's apps show, so either
    finds it. Masked numbers keep their visible tail ("138****5678" → ("5678",))."""
    return tuple(dict.fromkeys(t for t in (phone_tail(phone), extension_tail(phone)) if t))
