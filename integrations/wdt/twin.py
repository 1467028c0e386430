"""旺店通 企业版's double in the sandbox: its *.php API (twin_api) with the demo connection's keys."""

from __future__ import annotations

from integrations.sandbox.erp_twin import ErpTwinState
from integrations.wdt import twin_api
from integrations.wdt.spec import ERP


class WdtTwin:
    erp = ERP
    demo_keys = {
        "sid": "sandbox-wdt",
        "appkey": "sandbox-wdt-ot",
        "appsecret": "sandbox-wdt-secret",
        "shop_no": "api_test",
    }

    def routes(self) -> list:
        return twin_api.routes

    def new_state(self) -> ErpTwinState:
        state = ErpTwinState(ERP)  # 企业版 publishes no numeric limit: none until a test sets one
        state.accounts[self.demo_keys["sid"]] = dict(self.demo_keys)
        return state


TWIN = WdtTwin()
