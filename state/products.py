"""商品 page: ERP products with their SKUs, filtered and paged, and the product form (a product
and a row per SKU). Import and export have a state of their own (state/catalog_import.py)."""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from qihang_app.domain import input_rules as rules
from qihang_app.domain.catalog_rows import weight
from qihang_app.domain.money import fen_to_yuan_str, format_money
from qihang_app.services import catalog
from qihang_app.services.errors import ServiceError
from state.auth import current_actor, explain, refuse, translate
from state.form_errors import messages, placed
from state.offloop import in_session

SKU_INPUTS = ("sku_code", "color", "size", "variant", "barcode", "weight_g", "price", "cost")


def query_string(values: dict[str, str]) -> str:
    """The filters as the page's URL keeps them (a link can be shared)."""
    qs = urlencode({k: v for k, v in values.items() if v})
    return f"?{qs}" if qs else ""


def _product_row(p) -> dict:
    prices = sorted({s.price_fen for s in p.skus if s.enabled}) or [0]
    price = format_money(prices[0]) if len(prices) == 1 else f"{format_money(prices[0])} – {format_money(prices[-1])}"
    return {
        "id": str(p.id),
        "code": p.code,
        "name": p.name,
        "category": p.category,
        "unit": p.unit,
        "enabled": "1" if p.enabled else "",
        "skus": str(len(p.skus)),
        "specs": "、".join(s.spec or s.code for s in p.skus[:4]) + (" …" if len(p.skus) > 4 else ""),
        "price": price,
    }


def _sku_form_row(key: str, s=None) -> dict[str, str]:
    if s is None:
        return {"key": key, "id": "", "enabled": "1", **dict.fromkeys(SKU_INPUTS, "")}
    return {
        "key": key,
        "id": str(s.id),
        "enabled": "1" if s.enabled else "",
        "sku_code": s.code,
        "color": s.color,
        "size": s.size,
        "variant": s.variant,
        "barcode": s.barcode,
        "weight_g": str(s.weight_g or ""),
        "price": fen_to_yuan_str(s.price_fen),
        "cost": fen_to_yuan_str(s.cost_fen) if s.cost_fen else "",
    }


class ProductsState(rx.State):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    f_query: str = ""
    f_category: str = ""
    f_state: str = ""
    category_options: list[str] = []

    dialog: bool = False
    form: dict[str, str] = {"id": "", "code": "", "name": "", "category": "", "unit": ""}
    sku_rows: list[dict[str, str]] = []
    version: int = 0  # new keys on every open, so the form's inputs show the opened product
    next_key: int = 1
    errors: dict[str, str] = {}
    form_error: str = ""

    @rx.event
    async def load(self):
        params = self.router.url.query_parameters
        self.f_query = params.get("q", "")
        self.f_category = params.get("category", "")
        self.f_state = params.get("state", "")
        self.page = 1
        return await self._refresh()

    async def _refresh(self):
        try:
            actor = await current_actor(self)
        except Exception as exc:
            return await refuse(self, exc)
        query, category, state, page = self.f_query, self.f_category, self.f_state, self.page

        def read(session):
            result = catalog.list_products(session, actor=actor, q=query, category=category, state=state, page=page)
            return result, catalog.categories(session)

        result, categories = await in_session(read)
        wanted = {"q": query, "category": category, "state": state}
        self.rows = [_product_row(p) for p in result.rows]
        self.total, self.pages, self.page = result.total, result.pages, min(result.page, result.pages)
        self.category_options = categories
        return rx.call_script(f"window.history.replaceState(null, '', '/products{query_string(wanted)}')")

    @rx.event
    async def search(self, form: dict):
        self.f_query = str(form.get("q") or "").strip()
        self.page = 1
        return await self._refresh()

    @rx.event
    async def set_category(self, value: str):
        self.f_category = "" if value == "all" else value
        self.page = 1
        return await self._refresh()

    @rx.event
    async def set_state_filter(self, value: str):
        self.f_state = "" if value == "all" else value
        self.page = 1
        return await self._refresh()

    @rx.event
    async def go_page(self, page: int):
        self.page = min(max(1, page), self.pages)
        return await self._refresh()

    # ---- the form ----------------------------------------------------------------------------
    def _key(self) -> str:
        self.next_key += 1
        return f"{self.version}-{self.next_key}"

    @rx.event
    def open_new(self):
        self.version += 1
        self.form = {"id": "", "code": "", "name": "", "category": "", "unit": ""}
        self.sku_rows = [_sku_form_row(self._key())]
        self.errors, self.form_error = {}, ""
        self.dialog = True

    @rx.event
    async def open_edit(self, product_id: str):
        try:
            actor = await current_actor(self)
            view = await in_session(lambda s: catalog.get_product(s, actor=actor, product_id=int(product_id)))
        except ServiceError as exc:
            return rx.toast.error(await explain(self, exc))
        except Exception as exc:
            return await refuse(self, exc)
        self.version += 1
        self.form = {
            "id": str(view.id),
            "code": view.code,
            "name": view.name,
            "category": view.category,
            "unit": view.unit,
        }
        self.sku_rows = [_sku_form_row(self._key(), s) for s in view.skus] or [_sku_form_row(self._key())]
        self.errors, self.form_error = {}, ""
        self.dialog = True

    @rx.event
    def set_dialog(self, value: bool):
        self.dialog = value

    @rx.event
    def add_sku(self):
        self.sku_rows = [*self.sku_rows, _sku_form_row(self._key())]

    @rx.event
    def remove_sku(self, key: str):
        if len(self.sku_rows) > 1:
            self.sku_rows = [r for r in self.sku_rows if r["key"] != key]

    @rx.event
    def toggle_sku(self, key: str):
        self.sku_rows = [{**r, "enabled": "" if r["enabled"] else "1"} if r["key"] == key else r for r in self.sku_rows]

    @rx.event
    async def save(self, form: dict):
        """Every bad field gets its message at once; the dialog keeps what was typed."""
        checks = {
            "code": (rules.code, form.get("code"), dict(limit="sku_code", required=True)),
            "name": (rules.text, form.get("name"), dict(limit="item_name", required=True)),
            "category": (rules.text, form.get("category"), dict(limit="category")),
            "unit": (rules.text, form.get("unit"), dict(limit="unit")),
        }
        for row in self.sku_rows:
            k = row["key"]
            checks[f"sku_code_{k}"] = (rules.code, form.get(f"sku_code_{k}"), dict(limit="sku_code", required=True))
            for name in ("color", "size", "variant"):
                checks[f"{name}_{k}"] = (rules.text, form.get(f"{name}_{k}"), dict(limit="spec_value"))
            checks[f"barcode_{k}"] = (rules.code, form.get(f"barcode_{k}"), dict(limit="sku_code"))
            checks[f"weight_g_{k}"] = (weight, form.get(f"weight_g_{k}"))
            for name in ("price", "cost"):
                checks[f"{name}_{k}"] = (rules.money, form.get(f"{name}_{k}"), dict(maximum=rules.MAX_UNIT_PRICE_FEN))
        values, problems = rules.check_all(checks)
        self.errors = await messages(self, problems)
        self.form_error = ""
        if self.errors:
            return
        keys = [r["key"] for r in self.sku_rows]
        skus = [
            {
                "id": int(r["id"]) if r["id"] else None,
                "sku_code": values[f"sku_code_{r['key']}"],
                "color": values[f"color_{r['key']}"],
                "size": values[f"size_{r['key']}"],
                "variant": values[f"variant_{r['key']}"],
                "barcode": values[f"barcode_{r['key']}"],
                "weight_g": values[f"weight_g_{r['key']}"],
                "price_fen": values[f"price_{r['key']}"],
                "cost_fen": values[f"cost_{r['key']}"],
                "enabled": bool(r["enabled"]),
            }
            for r in self.sku_rows
        ]
        # the service names a SKU's field "sku<i>.<key>"; the form calls it "<input>_<row key>"
        rename = {f"sku{i}.{f}": f"{n}_{k}" for i, k in enumerate(keys) for f, n in (
            ("sku_code", "sku_code"), ("price_fen", "price"), ("cost_fen", "cost"), ("weight_g", "weight_g"),
            ("color", "color"), ("size", "size"), ("variant", "variant"), ("barcode", "barcode"))}  # fmt: skip
        product_id = int(self.form["id"]) if self.form["id"] else None
        try:
            actor = await current_actor(self)
            await in_session(
                lambda s: catalog.save_product(
                    s,
                    actor=actor,
                    product_id=product_id,
                    code=values["code"],
                    name=values["name"],
                    category=values["category"],
                    unit=values["unit"],
                    skus=skus,
                )  # fmt: skip
            )
        except ServiceError as exc:
            self.errors = await placed(self, exc, rename)
            if not self.errors:
                self.form_error = await explain(self, exc)
            return
        except Exception as exc:
            return await refuse(self, exc)
        self.dialog = False
        await self._refresh()
        return rx.toast.success(await translate(self, "common.saved"))

    @rx.event
    async def set_enabled(self, product_id: str, enabled: bool):
        try:
            actor = await current_actor(self)
            await in_session(
                lambda s: catalog.set_product_enabled(s, actor=actor, product_id=int(product_id), enabled=enabled)
            )
        except ServiceError as exc:
            return rx.toast.error(await explain(self, exc))
        except Exception as exc:
            return await refuse(self, exc)
        await self._refresh()
        return rx.toast.success(await translate(self, "catalog.enabled" if enabled else "catalog.disabled"))
