"""Messages of OAuth 授权, the token expiry on 门店与店铺, the message stream and the refund pull,
in the same (简体中文, English) form as qihang_app/i18n.py, which merges them."""

from __future__ import annotations

OAUTH_MESSAGES: dict[str, tuple[str, str]] = {
    # the shop row
    "oauth.authorize": ("授权", "Authorize"),
    "oauth.reauthorize": ("重新授权", "Authorize again"),
    "oauth.access_label": ("授权到期", "Token expires"),
    "oauth.refresh_label": ("刷新到期", "Refresh expires"),
    "oauth.badge.warn": ("授权即将到期", "Token expires soon"),
    "oauth.badge.lapsed": ("授权已过期", "Token expired"),
    "oauth.badge.reauth": ("需要重新授权", "Authorize again"),
    "oauth.badge.none": ("未授权", "Not authorized"),
    "oauth.done": ("授权成功：{shop}", "Authorized: {shop}"),
    "oauth.done_plain": ("授权成功", "Authorized"),
    # refusals (shown on 门店与店铺 after the platform sends the browser back)
    "oauth.err.unsupported": ("该平台不需要授权（{platform}）", "This platform has no authorization ({platform})"),
    "oauth.err.state_unknown": (
        "授权链接无效，请在门店与店铺重新点「授权」",
        "This authorization link is not valid: start again with Authorize on Stores",
    ),
    "oauth.err.state_used": (
        "这个授权链接已经用过，请重新点「授权」",
        "This authorization link was used already: start again with Authorize",
    ),
    "oauth.err.state_expired": (
        "授权超时（10 分钟内有效），请重新点「授权」",
        "The authorization timed out (10 minutes): start again with Authorize",
    ),
    "oauth.err.not_allowed": (
        "发起授权的账号已无权修改该店铺的密钥",
        "The account that started this may no longer change the shop's keys",
    ),
    "oauth.err.denied": ("授权被取消（平台未同意）", "Authorization was cancelled on the platform"),
    "oauth.err.no_code": ("平台没有返回授权码，请重新授权", "The platform sent no code: authorize again"),
    "oauth.err.exchange_failed": (
        "平台拒绝了授权码，请重新授权（{detail}）",
        "The platform refused the code: authorize again ({detail})",
    ),
    "oauth.err.unreachable": ("暂时连不上平台，请稍后重新授权", "The platform cannot be reached: try again later"),
    "oauth.err.other_shop": (
        "授权的是另一家店铺（{theirs}），不是本店（{ours}）",
        "That authorization is for another shop ({theirs}), not this one ({ours})",
    ),
    "oauth.err.refresh_refused": ("平台拒绝刷新授权，请重新授权", "The platform refused to refresh: authorize again"),
    "oauth.err.refresh_lapsed": ("刷新令牌已过期，请重新授权", "The refresh token expired: authorize again"),
    "oauth.err.no_refresh": (
        "授权即将到期且平台未给刷新令牌，请重新授权",
        "The token expires soon and cannot be renewed: authorize again",
    ),
    # the audit trail
    "audit.act.shop.reauth_needed": ("店铺需要重新授权", "Shop needs authorizing again"),
    # pull logs
    "pulls.kind.refunds": ("退款拉取", "Refund pull"),
}
