"""金蝶云星空's double in the sandbox: a merchant's WebAPI site (twin_api) with the demo keys."""

from __future__ import annotations

from integrations.kingdee import twin_api
from integrations.kingdee.spec import ERP
from integrations.sandbox.erp_twin import ErpTwinState


class KingdeeTwin:
    erp = ERP
    demo_keys = {
        "acct_id": "sandbox-acct",
        "username": "qihang_api",
        "app_id": "300001_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX",
        "app_secret": "sandbox-kingdee-secret",
        "sale_org": "100",
        "default_customer": "CUST0001",
    }

    def routes(self) -> list:
        return twin_api.routes

    def new_state(self) -> ErpTwinState:
        state = ErpTwinState(ERP)  # Kingdee publishes no limit: none until a test sets one
        state.accounts[self.demo_keys["app_id"]] = dict(self.demo_keys)
        return state


TWIN = KingdeeTwin()
