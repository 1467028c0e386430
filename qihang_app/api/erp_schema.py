"""The bodies of QiHang's inbound ERP API (validation and the OpenAPI schemas come from these)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

OrderNo = Field(
    min_length=1, max_length=40, description='The order number as we pushed it (`data.order_no`, e.g. "QH1024").'
)


class Body(BaseModel):
    """Every text field refuses NUL and other control characters (databases and tickets can't hold them)."""

    model_config = ConfigDict(extra="ignore")

    @field_validator("*", mode="after")
    @classmethod
    def _printable(cls, value):
        if isinstance(value, str) and any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValueError("control characters are not allowed")
        return value


class ShipmentLineIn(Body):
    sku: str = Field(min_length=1, max_length=40, description="The line's ERP SKU code as pushed (`data.lines[].sku`).")
    quantity: int = Field(ge=1, le=1_000_000, description="How many of that SKU this package holds.")


class ShipmentIn(Body):
    """One package of an order. Sending the same (order_no, carrier_code, tracking_no) again changes nothing."""

    order_no: str = OrderNo
    carrier_code: str = Field(
        min_length=1, max_length=20, description="A carrier code of our list (see the description above)."
    )
    tracking_no: str = Field(
        min_length=1, max_length=40, description="The tracking number (letters, digits, - _ . / :)."
    )
    shipped_at: AwareDatetime | None = Field(default=None, description="When it left, ISO 8601 with a time zone.")
    lines: list[ShipmentLineIn] = Field(
        default_factory=list,
        max_length=200,
        description="For a partial shipment; leave empty when the package is the whole order.",
    )


class ShipmentOut(BaseModel):
    order_no: str
    shipment_id: int | None
    duplicate: bool = Field(description="True when this shipment was received before (nothing changed).")
    order_status: str = Field(description="The order's status afterwards: to_ship, shipped, completed …")
    status_changed: bool = Field(description="True when this call moved the order to shipped.")


class CancelResultIn(Body):
    """The ERP's answer to an order.cancelled push."""

    order_no: str = OrderNo
    outcome: Literal["cancelled", "refused"] = Field(
        description="cancelled: stopped in the ERP; refused: too late (already shipped)."
    )
    note: str = Field(default="", max_length=500)


class CancelResultOut(BaseModel):
    order_no: str
    duplicate: bool
    erp_state: str | None = Field(description="The order's ERP state afterwards (see the state table).")
    erp_state_changed: bool


class AftersaleResultIn(Body):
    """What the ERP decided for an after-sale (stored for the after-sales center)."""

    aftersale_no: str = Field(min_length=1, max_length=64, description="The after-sale number as we pushed it.")
    order_no: str | None = Field(default=None, max_length=40, description="The order it belongs to, when known.")
    outcome: Literal["resend", "exchange", "return", "refund_only", "intercept", "refused"] = Field(
        description="resend 补发 / exchange 换货 / return 退货 / refund_only 仅退款 / intercept 拦截 / refused 拒绝."
    )
    tracking_no: str = Field(default="", max_length=40, description="For resend and exchange: the new package.")
    carrier_code: str = Field(default="", max_length=20)
    note: str = Field(default="", max_length=500)


class AftersaleResultOut(BaseModel):
    aftersale_no: str
    duplicate: bool
    recorded: bool
    applied: bool | None = Field(
        default=None,
        description="true: the after-sale moved on; false: the OMS refused it (see its timeline); "
        "null: no after-sale of that number here (kept for staff) or a duplicate.",
    )


class ErrorBody(BaseModel):
    code: str = Field(description="Stable, machine-readable: see the error table.")
    message: str = Field(description="For the developer reading the log; wording may change.")


class ErrorOut(BaseModel):
    error: ErrorBody


MODELS = (
    ShipmentLineIn,
    ShipmentIn,
    ShipmentOut,
    CancelResultIn,
    CancelResultOut,
    AftersaleResultIn,
    AftersaleResultOut,
    ErrorBody,
    ErrorOut,
)
