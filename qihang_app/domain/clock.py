"""The merchants' time zone, defined once.

Times are stored timezone-aware in UTC; business days (today's orders, the sweep's day windows),
auto-accept hours and everything shown to people are in Asia/Shanghai (China has one zone and
no daylight saving since 1991).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
