"""The Reflex app: pages, theme and the plain HTTP routes (webhooks, health) via api_transformer."""

import reflex as rx

from components.layout import FONT
from qihang_app.api.routes import build_api
from qihang_app.config import get_settings
from qihang_app.pages.aftersales import aftersales_page
from qihang_app.pages.alerts import alerts_page
from qihang_app.pages.audit import audit_page
from qihang_app.pages.board import board_page
from qihang_app.pages.delivery import delivery_page
from qihang_app.pages.erp import erp_page
from qihang_app.pages.erp_pushes import erp_pushes_page
from qihang_app.pages.inbox import inbox_page
from qihang_app.pages.login import login_page
from qihang_app.pages.orders import orders_page
from qihang_app.pages.print import print_page
from qihang_app.pages.products import products_page
from qihang_app.pages.reports import reports_page
from qihang_app.pages.rider import rider_page
from qihang_app.pages.roles import roles_page
from qihang_app.pages.shop_products import shop_products_page
from qihang_app.pages.stock import stock_page
from qihang_app.pages.stores import stores_page
from qihang_app.pages.system import system_page
from qihang_app.pages.users import users_page
from qihang_app.pages.waybill_print import waybill_print_page
from qihang_app.runtime import set_app
from state.aftersales import AfterSalesState
from state.alerts import AlertsState
from state.audit import AuditState
from state.auth import AuthState, LoginState
from state.board import BoardState
from state.delivery_settings import DeliverySettingsState
from state.erp_connections import ErpConnectionsState
from state.erp_pushes import ErpPushesState
from state.inbox import InboxState
from state.order_detail import OrderDetailState
from state.orders import OrdersState
from state.platform_calls import PlatformCallsState
from state.products import ProductsState
from state.reports import ReportsState
from state.rider_page import RiderPageState
from state.roles import RolesState
from state.shop_oauth import ShopOAuthState
from state.shop_products import ShopProductsState
from state.stock import StockAlertState, StockState
from state.stores import StoresState
from state.system import SystemState
from state.tickets import TicketState
from state.users import UsersState
from state.waybill_print import WaybillPrintState

get_settings().check_for_production()

app = rx.App(
    style={"font_family": FONT, ".tabular": {"font_variant_numeric": "tabular-nums"}},
    html_lang="zh-CN",
    head_components=[
        rx.el.meta(name="theme-color", content="#3e63dd"),
        rx.el.link(rel="stylesheet", href="/board.css"),
        rx.el.link(rel="stylesheet", href="/rider.css"),
        rx.script(src="/board.js"),
    ],
    api_transformer=build_api(),
)
set_app(app)  # state code reaches the app through qihang_app.runtime


def index() -> rx.Component:
    return rx.center(rx.spinner(size="3"), min_height="100vh")


app.add_page(index, route="/", title="启航 OMS", on_load=AuthState.go_home)
app.add_page(login_page, route="/login", title="登录 · 启航 OMS", on_load=LoginState.redirect_if_logged_in)
app.add_page(
    board_page,
    route="/board",
    title="调度看板 · 启航 OMS",
    on_load=[AuthState.require_login, BoardState.open_board, StockAlertState.refresh],
)
app.add_page(
    orders_page,
    route="/orders",
    title="订单 · 启航 OMS",
    on_load=[AuthState.require_login, OrdersState.load, OrderDetailState.load],
)
app.add_page(
    aftersales_page,
    route="/aftersales",
    title="售后 · 启航 OMS",
    on_load=[AuthState.require_login, AfterSalesState.load],
)
app.add_page(
    stores_page,
    route="/stores",
    title="门店与店铺 · 启航 OMS",
    on_load=[AuthState.require_login, StoresState.load, PlatformCallsState.load, ShopOAuthState.load],
)
app.add_page(stock_page, route="/stock", title="库存 · 启航 OMS", on_load=[AuthState.require_login, StockState.load])
app.add_page(
    products_page,
    route="/products",
    title="商品 · 启航 OMS",
    on_load=[AuthState.require_login, ProductsState.load],
)
app.add_page(
    shop_products_page,
    route="/shop-products",
    title="店铺商品 · 启航 OMS",
    on_load=[AuthState.require_login, ShopProductsState.load],
)
app.add_page(
    delivery_page,
    route="/delivery",
    title="配送设置 · 启航 OMS",
    on_load=[AuthState.require_login, DeliverySettingsState.load],
)
app.add_page(
    inbox_page, route="/inbox", title="数据接收 · 启航 OMS", on_load=[AuthState.require_login, InboxState.load]
)
app.add_page(
    reports_page, route="/reports", title="报表 · 启航 OMS", on_load=[AuthState.require_login, ReportsState.load]
)
app.add_page(users_page, route="/users", title="用户 · 启航 OMS", on_load=[AuthState.require_login, UsersState.load])
app.add_page(roles_page, route="/roles", title="角色 · 启航 OMS", on_load=[AuthState.require_login, RolesState.load])
app.add_page(
    audit_page, route="/audit", title="审计日志 · 启航 OMS", on_load=[AuthState.require_login, AuditState.load]
)
app.add_page(
    system_page, route="/system", title="系统状态 · 启航 OMS", on_load=[AuthState.require_login, SystemState.load]
)
app.add_page(print_page, route="/print", title="打印 · 启航 OMS", on_load=[AuthState.require_login, TicketState.load])
app.add_page(
    waybill_print_page,
    route="/waybill-print",
    title="电子面单 · 启航 OMS",
    on_load=[AuthState.require_login, WaybillPrintState.load],
)
app.add_page(
    alerts_page, route="/alerts", title="告警设置 · 启航 OMS", on_load=[AuthState.require_login, AlertsState.load]
)
# The own rider's page: no login, the secret link names the rider.
app.add_page(rider_page, route="/rider", title="骑手 · 启航 OMS", on_load=RiderPageState.load)
app.add_page(
    erp_page, route="/erp", title="ERP 对接 · 启航 OMS", on_load=[AuthState.require_login, ErpConnectionsState.load]
)
app.add_page(
    erp_pushes_page,
    route="/erp/pushes",
    title="推送记录 · 启航 OMS",
    on_load=[AuthState.require_login, ErpPushesState.load],
)
