"""The shop row's token columns on 门店与店铺: Asia/Shanghai times and the badge state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from qihang_app.models import utcnow
from state.shop_oauth import token_fields
from tests.oauth_support import CODE, test_platform  # noqa: F401  (fixture)


@dataclass
class Row:
    platform: str = CODE
    token_expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None
    reauth_reason: str | None = None


def test_times_are_shown_in_shanghai(test_platform):  # noqa: F811
    row = Row(token_expires_at=datetime(2030, 1, 1, 16, 30, tzinfo=UTC),
              refresh_expires_at=datetime(2030, 2, 1, 0, 0, tzinfo=UTC))  # fmt: skip
    fields = token_fields(row)
    assert fields["access_expires"] == "2030-01-02 00:30" and fields["refresh_expires"] == "2030-02-01 08:00"
    assert fields["authorizes"] == "1" and fields["token_state"] == "ok"


def test_badges_follow_the_earliest_problem(test_platform):  # noqa: F811
    now = utcnow()
    far = now + timedelta(days=60)
    assert token_fields(Row())["token_state"] == "none"
    soon = now + timedelta(hours=2)  # renewed by the workers while the refresh token lasts
    assert token_fields(Row(token_expires_at=soon, refresh_expires_at=far))["token_state"] == "ok"
    assert token_fields(Row(token_expires_at=soon))["token_state"] == "warn"  # no refresh token
    assert token_fields(Row(token_expires_at=far, refresh_expires_at=now + timedelta(days=3)))["token_state"] == "warn"
    assert (
        token_fields(Row(token_expires_at=now - timedelta(hours=1), refresh_expires_at=far))["token_state"] == "lapsed"
    )
    assert token_fields(Row(token_expires_at=far, refresh_expires_at=far, reauth_reason="x"))["token_state"] == "reauth"


def test_platforms_without_oauth_show_nothing():
    assert token_fields(Row(platform="meituan", token_expires_at=utcnow())) == {
        "authorizes": "", "access_expires": "", "refresh_expires": "", "token_state": "",
    }  # fmt: skip
