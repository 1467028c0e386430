"""All tables. Importing this package makes SQLModel.metadata complete (alembic relies on it)."""

from .aftersales import AfterSale, AfterSaleEvent, AfterSaleLine
from .alerts import DELIVERY_STATUSES, AlertChannel, AlertDelivery, AlertProblem, AlertRuleSetting
from .audit import AuditEntry
from .base import UTC, UTCDateTime, utcnow
from .delivery import CarrierAccount, Delivery, DispatchRule, OwnRider
from .erp import ErpConnection, ErpCustomerMap, ErpOrderState, ErpResult, ErpSeenSignature, ErpShipment
from .messaging import INBOX_STATUSES, OUTBOX_STATUSES, InboxMessage, OutboxMessage
from .oauth import OAuthState
from .orders import Order, OrderEvent, OrderLine, phone_search_columns
from .pulls import PULL_KINDS, PULL_STATUSES, PullLog
from .reports import (
    ReportCancel,
    ReportDaily,
    ReportDelivery,
    ReportDuration,
    ReportHourly,
    ReportSku,
    ReportSkuMonth,
)
from .ride_retry import RIDE_RETRY_STATUSES, RideRetry
from .skus import ErpSku, Product, ShopSku, SkuLinkEvent
from .stock import ShopStockSetting, StockLevel, StockLocation, StockMove, StockPublished, StockShortage
from .stores import Shop, Store
from .system import WorkerHeartbeat
from .users import ROLES, AuthSession, LoginThrottle, Role, User, UserStoreGrant
from .waybills import WAYBILL_STATUSES, Waybill

__all__ = [
    "WAYBILL_STATUSES",
    "Waybill",
    "AfterSale",
    "AfterSaleEvent",
    "AfterSaleLine",
    "DELIVERY_STATUSES",
    "AlertChannel",
    "AlertDelivery",
    "AlertProblem",
    "AlertRuleSetting",
    "INBOX_STATUSES",
    "OUTBOX_STATUSES",
    "ROLES",
    "UTC",
    "AuditEntry",
    "AuthSession",
    "CarrierAccount",
    "Delivery",
    "DispatchRule",
    "ErpConnection",
    "ErpCustomerMap",
    "ErpOrderState",
    "ErpResult",
    "ErpSeenSignature",
    "ErpShipment",
    "ErpSku",
    "InboxMessage",
    "LoginThrottle",
    "Order",
    "OAuthState",
    "OrderEvent",
    "OrderLine",
    "OutboxMessage",
    "OwnRider",
    "PULL_KINDS",
    "PULL_STATUSES",
    "Product",
    "PullLog",
    "Role",
    "ReportCancel",
    "ReportDaily",
    "ReportDelivery",
    "ReportDuration",
    "ReportHourly",
    "ReportSku",
    "ReportSkuMonth",
    "RIDE_RETRY_STATUSES",
    "RideRetry",
    "Shop",
    "ShopSku",
    "ShopStockSetting",
    "SkuLinkEvent",
    "StockLevel",
    "StockLocation",
    "StockMove",
    "StockPublished",
    "StockShortage",
    "Store",
    "UTCDateTime",
    "User",
    "UserStoreGrant",
    "WorkerHeartbeat",
    "phone_search_columns",
    "utcnow",
]
