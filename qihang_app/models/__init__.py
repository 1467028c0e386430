"""All tables. Importing this package makes SQLModel.metadata complete (alembic relies on it)."""

from .aftersales import AfterSale, AfterSaleEvent, AfterSaleLine
from .base import UTC, UTCDateTime, utcnow
from .messaging import INBOX_STATUSES, OUTBOX_STATUSES, InboxMessage, OutboxMessage
from .orders import Order, OrderEvent, OrderLine, phone_search_columns
from .pulls import PULL_KINDS, PULL_STATUSES, PullLog
from .skus import ErpSku, ShopSku
from .stores import Shop, Store
from .system import WorkerHeartbeat
from .users import ROLES, AuthSession, LoginThrottle, User, UserStoreGrant

__all__ = [
    "AfterSale",
    "AfterSaleEvent",
    "AfterSaleLine",
    "INBOX_STATUSES",
    "OUTBOX_STATUSES",
    "ROLES",
    "UTC",
    "AuthSession",
    "ErpSku",
    "InboxMessage",
    "LoginThrottle",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OutboxMessage",
    "PULL_KINDS",
    "PULL_STATUSES",
    "PullLog",
    "Shop",
    "ShopSku",
    "Store",
    "UTCDateTime",
    "User",
    "UserStoreGrant",
    "WorkerHeartbeat",
    "phone_search_columns",
    "utcnow",
]
