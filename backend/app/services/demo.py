"""Demo data for `make run`: an admin, an advisor, and simulator clients with starting cash. Seeded once."""

import logging
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.enums import BrokerName, Role
from app.models import Client, User
from app.services import audit
from app.services.users import create_user

log = logging.getLogger(__name__)

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "admin123"
ADVISOR_EMAIL, ADVISOR_PASSWORD = "advisor@example.com", "advisor123"

_CLIENT_NAMES = (
    "Aarav Sharma",
    "Priya Iyer",
    "Rohan Mehta",
    "Ananya Reddy",
    "Vikram Singh",
    "Kavya Nair",
    "Arjun Patel",
    "Meera Joshi",
    "Siddharth Rao",
    "Isha Kapoor",
    "Kabir Malhotra",
    "Diya Menon",
)


def _starting_cash(index: int, count: int, low: Decimal, high: Decimal) -> Decimal:
    if count == 1:
        return low
    step = (high - low) / (count - 1)
    # Rounded to the nearest thousand rupees, as a person would fund an account.
    return ((low + step * index) / 1000).quantize(Decimal("1")) * 1000


async def seed_demo(session: AsyncSession, *, client_count: int, min_cash: Decimal, max_cash: Decimal) -> bool:
    """Create the demo users and clients unless the demo admin exists already; True when it seeded."""
    if await session.scalar(select(User.id).where(User.email == ADMIN_EMAIL)) is not None:
        return False
    await create_user(
        session, actor=None, email=ADMIN_EMAIL, full_name="Demo Admin", role=Role.ADMIN, password=ADMIN_PASSWORD
    )
    advisor = await create_user(
        session, actor=None, email=ADVISOR_EMAIL, full_name="Demo Advisor", role=Role.ADVISOR, password=ADVISOR_PASSWORD
    )
    for index in range(client_count):
        name = _CLIENT_NAMES[index % len(_CLIENT_NAMES)]
        if index >= len(_CLIENT_NAMES):
            name = f"{name} {index // len(_CLIENT_NAMES) + 1}"
        session.add(
            Client(
                owner_id=advisor.id,
                display_name=name,
                broker=BrokerName.SIMULATOR,
                broker_client_id=f"SIM{index + 1:04d}",
                opening_cash=_starting_cash(index, client_count, min_cash, max_cash),
            )
        )
    await audit.record(session, "demo.seed", actor_id=None, payload={"clients": client_count})
    await session.commit()
    log.info("demo data seeded: %s / %s with %d simulator clients", ADVISOR_EMAIL, ADVISOR_PASSWORD, client_count)
    return True
