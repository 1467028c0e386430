"""门店与店铺, OAuth 授权: the token columns of each shop row, and the result the platform's
redirect brings back (`/stores?oauth=ok&shop=<id>` or `?oauth_error=<key>`, from api/oauth.py).

The 授权 button itself is a link to the start route (it needs no event: the route checks the
session and the permission, creates the one-time state and sends the browser to the platform).
"""

from __future__ import annotations

from datetime import datetime

import reflex as rx

from qihang_app.domain import partners
from qihang_app.domain.clock import SHANGHAI
from qihang_app.i18n import tr_known
from qihang_app.services import shop_oauth
from state.auth import lang_of
from state.permissions import requires, view_only


def _at(value: datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else ""


def token_fields(shop) -> dict[str, str]:
    """The shop row's token columns (a ShopView): expiry times in Asia/Shanghai and their state."""
    profile = partners.profile(shop.platform)
    if not (profile and profile.authorizes):
        return {"authorizes": "", "access_expires": "", "refresh_expires": "", "token_state": ""}
    # The workers renew a short-lived access token while the refresh token lasts: the warning
    # follows the refresh token when there is one; a lapsed access token is a problem either way.
    access = shop_oauth.expiry_state(shop.token_expires_at)
    lasting = shop_oauth.expiry_state(shop.refresh_expires_at or shop.token_expires_at)
    if shop.reauth_reason:
        state = "reauth"
    elif shop.token_expires_at is None:
        state = "none"
    elif "lapsed" in (access, lasting):
        state = "lapsed"
    else:
        state = lasting
    return {
        "authorizes": "1",
        "access_expires": _at(shop.token_expires_at),
        "refresh_expires": _at(shop.refresh_expires_at),
        "token_state": state,
    }


class ShopOAuthState(rx.State):
    notice: str = ""
    notice_ok: bool = False

    @rx.event
    @requires("page.stores")
    async def load(self):
        params = self.router.url.query_parameters
        lang = await lang_of(self)
        if params.get("oauth") == "ok":
            self.notice, self.notice_ok = tr_known("oauth.done_plain", lang), True
            return rx.toast.success(self.notice)
        key = params.get("oauth_error", "")
        if key.startswith("oauth.err."):  # only catalog keys travel in the URL
            self.notice = tr_known(key, lang, detail=params.get("detail", "")[:40])
            self.notice_ok = False
            return rx.toast.error(self.notice)
        self.notice = ""

    @rx.event
    @view_only
    def dismiss(self):
        self.notice = ""
