"""Messages of the instant-delivery carriers: a refused call in words staff can act on, and the
answers of 测试连接 for a carrier account. Merged by qihang_app/i18n.py."""

from __future__ import annotations

CARRIER_MESSAGES: dict[str, tuple[str, str]] = {
    # a carrier said no (integrations.errors); {carrier} is its name, {said} its own code and words
    "carrier_err.balance_low": (
        "{carrier}账户余额不足（{said}），请先充值再呼叫骑手，或换一家配送",
        "The {carrier} account balance is too low ({said}); top it up, or call another carrier",
    ),
    "carrier_err.no_rider": (
        "{carrier}附近暂无骑手可接单（{said}），请稍后再试或换一家配送",
        "{carrier} has no rider available nearby ({said}); retry later or call another carrier",
    ),
    "carrier_err.rate_limited": (
        "{carrier}限流，请求太频繁（{said}），请稍后重试",
        "{carrier} is limiting calls ({said}); retry in a moment",
    ),
    "carrier_err.credentials": (
        "{carrier}不接受配送账号的密钥（{said}），请核对账号设置",
        "{carrier} rejected the account's keys ({said}); check the account settings",
    ),
    "carrier_err.unsupported": ("{carrier}不支持此操作", "{carrier} does not offer this"),
    # 测试连接 of a carrier account
    "carrier.test.ok": ("连接成功", "Connected"),
    "carrier.test.ok_balance": ("连接成功，账户余额 ¥{balance}", "Connected; balance ¥{balance}"),
    "carrier.test.missing_keys": ("配送账号的密钥没有填全，请先填写", "Some of the account's keys are missing"),
    "carrier.test.failed": ("连接失败：{reason}", "Connection failed: {reason}"),
}
