"""Messages of issue #12's last gaps: retried carrier calls, callbacks waiting for their booking,
and editing a carrier account's keys on 配送设置. Merged by qihang_app/i18n.py."""

from __future__ import annotations

G12_MESSAGES: dict[str, tuple[str, str]] = {
    # retried carrier calls (timeline, the card's 异常, the dialog's answer)
    "delivery.retry.action.book": ("呼叫骑手", "booking a rider"),
    "delivery.retry.action.tip": ("加小费", "adding a tip"),
    "delivery.retry.action.cancel": ("取消配送", "cancelling the ride"),
    "delivery.note.retrying": (
        "{carrier}{action}失败（{reason}），{seconds} 秒后第 {attempt} 次尝试",
        "{carrier}: {action} failed ({reason}); try {attempt} in {seconds} s",
    ),
    "delivery.note.retry_gave_up": (
        "{carrier}{action}已尝试 {attempts} 次仍失败，已停止：{reason}",
        "{carrier}: {action} failed {attempts} times; stopped: {reason}",
    ),
    "attention.rider_call_failed": (
        "{carrier}{action}失败：{reason}，请处理",
        "{carrier}: {action} failed: {reason}; please act",
    ),
    "delivery.retry.scheduled": ("{reason}，系统将自动重试", "{reason}; it will be retried automatically"),
    "delivery.err.retry_pending": (
        "上一次呼叫骑手正在自动重试，请稍候或先取消",
        "The last booking is being retried; wait or cancel it first",
    ),
    # 配送设置: edit an account
    "delivery.account.edit": ("编辑", "Edit"),
    "delivery.account.edit_title": ("编辑配送账号", "Edit carrier account"),
    "delivery.account.secret_set": ("已设置", "Set"),
    "delivery.account.secret_keep": ("留空则不修改", "Leave empty to keep it"),
    "delivery.account.saved_test": ("已保存，正在测试连接…", "Saved; testing the connection…"),
}
