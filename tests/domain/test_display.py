"""Shanghai time, duration and phone formatting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from qihang_app.domain.display import (
    NaiveDatetimeError,
    format_duration,
    format_time,
    mask_phone,
    phone_tail,
    to_shanghai,
)
from qihang_app.domain.errors import DomainError


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_to_shanghai_converts_aware_times():
    local = to_shanghai(utc(2024, 11, 21, 6, 5))
    assert (local.hour, local.minute, local.utcoffset()) == (14, 5, timedelta(hours=8))
    other_zone = datetime(2024, 11, 21, 1, 5, tzinfo=timezone(timedelta(hours=-5)))
    assert to_shanghai(other_zone).hour == 14


def test_to_shanghai_refuses_naive():
    with pytest.raises(NaiveDatetimeError) as info:
        to_shanghai(datetime(2024, 11, 21, 6, 5))
    assert isinstance(info.value, DomainError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("dt", "now", "text"),
    [
        (utc(2024, 11, 21, 6, 5), utc(2024, 11, 21, 9, 0), "14:05"),
        # 16:30 UTC is 00:30 next day in Shanghai: same UTC day, different Shanghai day
        (utc(2024, 11, 21, 15, 59), utc(2024, 11, 21, 16, 30), "11-21 23:59"),
        # different UTC days, same Shanghai day (00:10 and 23:50 on 11-22)
        (utc(2024, 11, 21, 16, 10), utc(2024, 11, 22, 15, 50), "00:10"),
        (utc(2024, 11, 20, 6, 5), utc(2024, 11, 21, 6, 5), "11-20 14:05"),
        # New Year's Eve in Shanghai starts at 16:00 UTC
        (utc(2024, 12, 31, 15, 0), utc(2024, 12, 31, 16, 0), "2024-12-31 23:00"),
        (utc(2025, 1, 2, 1, 0), utc(2024, 12, 31, 1, 0), "2025-01-02 09:00"),  # future
    ],
)
def test_format_time(dt, now, text):
    assert format_time(dt, now) == text


def test_format_time_refuses_naive_now():
    with pytest.raises(NaiveDatetimeError):
        format_time(utc(2024, 11, 21, 6, 5), datetime(2024, 11, 21, 6, 5))


@pytest.mark.parametrize(
    ("seconds", "zh", "en"),
    [
        (0, "0秒", "0s"),
        (45, "45秒", "45s"),
        (59.9, "59秒", "59s"),
        (60, "1分", "1m"),
        (192, "3分12秒", "3m 12s"),
        (599, "9分59秒", "9m 59s"),
        (600, "10分钟", "10 min"),
        (725, "12分钟", "12 min"),
        (3599, "59分钟", "59 min"),
        (3600, "1小时", "1 h"),
        (3900, "1小时5分", "1 h 5 min"),
        (3959, "1小时5分", "1 h 5 min"),
        (7200, "2小时", "2 h"),
        (93_780, "26小时3分", "26 h 3 min"),
        (-192, "-3分12秒", "-3m 12s"),
    ],
)
def test_format_duration(seconds, zh, en):
    assert format_duration(seconds) == zh
    assert format_duration(seconds, lang="en") == en


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "60", None, True])
def test_format_duration_rejects_non_numbers(bad):
    with pytest.raises(ValueError):
        format_duration(bad)


def test_format_duration_rejects_unknown_language():
    with pytest.raises(ValueError):
        format_duration(5, lang="fr")


@pytest.mark.parametrize(
    ("phone", "masked", "tail"),
    [
        ("13812345678", "138****5678", "5678"),
        (" 138 1234 5678 ", "138****5678", "5678"),
        ("+8613812345678", "138****5678", "5678"),
        ("138-1234-5678", "138****5678", "5678"),
        ("138****5678", "138****5678", "5678"),  # platform-masked: kept
        ("****5678", "****5678", "5678"),
        ("13812345678_1234", "138****5678_1234", "5678"),  # privacy number + extension
        ("13812345678,1234", "138****5678,1234", "5678"),
        ("0571-88889999", "*********9999", "9999"),
        ("0571-88889999转123", "*********9999转123", "9999"),
        ("123", "***", ""),
        ("", "", ""),
        (None, "", ""),
    ],
)
def test_phone_mask_and_tail(phone, masked, tail):
    assert mask_phone(phone) == masked
    assert phone_tail(phone) == tail
