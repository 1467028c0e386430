"""Unified order status shared by every platform (values are stored in the database)."""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"  # 待付款
    AWAITING_ACCEPT = "awaiting_accept"  # 新订单/待接单 (instant retail only)
    TO_SHIP = "to_ship"  # 待发货/备货中
    SHIPPED = "shipped"  # 已发货/配送中
    COMPLETED = "completed"  # 交易成功
    CANCELLED = "cancelled"  # 已取消
    CLOSED = "closed"  # 交易关闭 (full refund after payment)
    INVALID = "invalid"  # 无效 (parent of a split order)


class Platform(StrEnum):
    MEITUAN = "meituan"  # 美团闪购
    DOUYIN_LAIKE = "douyin_laike"  # 抖音来客
    TAOBAO = "taobao"
    JD = "jd"
    PDD = "pdd"
    DOUDIAN = "doudian"
    WECHAT = "wechat"
    KUAISHOU = "kuaishou"
    OFFLINE = "offline"  # manual orders entered in the OMS


# Whether a platform is instant retail (orders must be accepted) is its adapter's profile's to
# say: see domain.partners.instant_retail.
