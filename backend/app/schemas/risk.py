"""Risk limits, trading halts and the audit trail's bodies."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt, model_validator

from app.schemas.common import INT32_MAX, PlainDecimal, StrictBody, TokenId

MoneyLimit = Annotated[PlainDecimal, Field(ge=0, max_digits=20, decimal_places=2)]


class RiskLimitsIn(StrictBody):
    """A PUT replaces the scope's limits: a field left out or null means no limit at this scope."""

    max_order_quantity: Annotated[StrictInt, Field(ge=1, le=INT32_MAX)] | None = None
    max_order_value: MoneyLimit | None = None
    price_band_pct: Annotated[PlainDecimal, Field(gt=0, le=100, max_digits=6, decimal_places=2)] | None = None
    max_gross_exposure: MoneyLimit | None = None
    max_daily_loss: MoneyLimit | None = None
    allowed_token_ids: list[TokenId] | None = Field(default=None, max_length=10000)
    denied_token_ids: list[TokenId] | None = Field(default=None, max_length=10000)


class RiskLimitsOut(RiskLimitsIn):
    updated_at: datetime | None = None
    updated_by: int | None = None


class ClientRiskLimitsOut(BaseModel):
    client_id: int
    limits: RiskLimitsOut
    firm_default: RiskLimitsOut
    effective: RiskLimitsIn


class HaltRequest(StrictBody):
    scope: Literal["firm", "advisor"]
    advisor_id: Annotated[StrictInt, Field(ge=1, le=INT32_MAX)] | None = None
    reason: str = Field(default="", max_length=500)
    cancel_open_orders: StrictBool = False

    @model_validator(mode="after")
    def _advisor_given(self) -> "HaltRequest":
        if self.scope == "advisor" and self.advisor_id is None:
            raise ValueError("scope advisor needs advisor_id")
        if self.scope == "firm" and self.advisor_id is not None:
            raise ValueError("scope firm takes no advisor_id")
        return self


class ResumeRequest(StrictBody):
    scope: Literal["firm", "advisor"]
    advisor_id: Annotated[StrictInt, Field(ge=1, le=INT32_MAX)] | None = None
    reason: str = Field(default="", max_length=500)


class HaltOut(BaseModel):
    id: int
    scope: str
    advisor_id: int | None
    reason: str
    halted_by: int
    halted_at: datetime


class CancelFailure(BaseModel):
    order_id: int
    code: str
    message: str


class RiskStatusOut(BaseModel):
    firm_halted: bool
    # Whether orders you place are refused right now (firm halt, or a halt on you as an advisor).
    you_are_halted: bool
    # The active halts you may see: every one for an admin; otherwise the firm halt and a halt on you.
    halts: list[HaltOut]
    cancelled_order_ids: list[int] = []
    cancel_failures: list[CancelFailure] = []


class RiskStatusChanged(BaseModel):
    """The `risk_status` Socket.IO event, to every signed-in socket after a halt or resume is committed.

    Only the firm-wide state: which halts a user may see (and `you_are_halted`) differ per user, so a desk
    refetches GET /risk/status on this event; another advisor's halt never goes to every socket.
    """

    firm_halted: bool


class AuditEventOut(BaseModel):
    id: int
    ts: datetime
    actor_id: int | None
    action: str
    entity_type: str | None
    entity_id: str | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class ChainReportOut(BaseModel):
    ok: bool
    checked: int
    first_broken_id: int | None
    reason: str | None
