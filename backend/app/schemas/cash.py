"""Cash ledger API bodies: a deposit or withdrawal, and the ledger with its running balance."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.enums import CashKind
from app.schemas.common import PlainDecimal, StrictBody

# Up to ₹100 crore in one transfer, in paise.
CashAmount = Annotated[PlainDecimal, Field(gt=0, le=Decimal("1000000000"), max_digits=12, decimal_places=2)]


class CashTransferIn(StrictBody):
    type: Literal["deposit", "withdraw"]
    amount: CashAmount
    note: str = Field(default="", max_length=200)


class CashTransferOut(BaseModel):
    id: int
    client_id: int
    type: Literal["deposit", "withdraw"]
    amount: Decimal
    note: str
    status: Literal["PENDING", "DONE", "REFUSED", "FAILED"]
    reason: str | None
    created_at: datetime
    balance: Decimal | None = Field(description="the ledger's balance after it, when it went through")


class LedgerEntryOut(BaseModel):
    id: str
    at: datetime
    kind: CashKind
    description: str
    amount: Decimal = Field(description="signed: + money in, - money out; rounded to paise")
    balance: Decimal = Field(description="the running balance after this entry")


class LedgerOut(BaseModel):
    client_id: int
    balance: Decimal = Field(description="the cash the broker reports: the sum of every entry")
    entries: list[LedgerEntryOut] = Field(description="oldest first")
