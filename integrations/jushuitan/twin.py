"""聚水潭's double in the sandbox: its gateway (twin_api) with the demo connection's keys."""

from __future__ import annotations

from integrations.jushuitan import twin_api
from integrations.jushuitan.spec import ERP, LIMIT_PER_MINUTE, LIMIT_PER_SECOND
from integrations.sandbox.erp_twin import ErpTwinState


class JstTwin:
    erp = ERP
    demo_keys = {
        "app_key": "sandbox-jst-app",
        "app_secret": "sandbox-jst-secret",
        "access_token": "sandbox-jst-token",
        "refresh_token": "sandbox-jst-refresh",
        "shop_id": "10001",
    }

    def routes(self) -> list:
        return twin_api.routes

    def new_state(self) -> ErpTwinState:
        state = ErpTwinState(ERP, per_second=LIMIT_PER_SECOND, per_minute=LIMIT_PER_MINUTE)
        state.accounts[self.demo_keys["app_key"]] = dict(self.demo_keys)
        return state


TWIN = JstTwin()
