"""The market-data port's database side: the designated Motilal account, the instruments a replay resolves its
symbols against, and prices for the services.

The market-data implementations never read the database (app/market/): the Motilal one is handed
`designated_account`, which looks up MULTIDESK_MOTILAL_MARKET_DATA_CLIENT_ID here and decrypts its credentials
through the vault, as every broker call does (services/accounts.py); the replay is handed `instrument_lookup`.
"""

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.brokers.base import BrokerAccount, BrokerError, BrokerPosition, InstrumentRef
from app.enums import BrokerName
from app.market.motilal import AccountSource
from app.market.port import MarketData, MarketDataUnavailable
from app.models import Client, Instrument
from app.models.instrument import instrument_ref
from app.security.vault import CredentialVault, VaultError
from app.services.accounts import broker_account

log = logging.getLogger(__name__)


def instrument_lookup(sessions: async_sessionmaker[AsyncSession]) -> Callable[[], Awaitable[Sequence[InstrumentRef]]]:
    """Every instrument we know, read when asked (a replay resolves its file's symbols and tokens against them)."""

    async def lookup() -> Sequence[InstrumentRef]:
        async with sessions() as session:
            return [instrument_ref(row) for row in await session.scalars(select(Instrument))]

    return lookup


def designated_account(
    sessions: async_sessionmaker[AsyncSession], vault: CredentialVault, client_id: int | None
) -> AccountSource:
    """The Motilal account market data asks prices with; MarketDataUnavailable says what is wrong with it."""

    async def resolve() -> BrokerAccount:
        if client_id is None:
            raise MarketDataUnavailable(
                "MULTIDESK_MARKET_DATA is motilal but MULTIDESK_MOTILAL_MARKET_DATA_CLIENT_ID is not set: "
                "name the Motilal client whose session asks for prices"
            )
        async with sessions() as session:
            client = await session.get(Client, client_id)
        if client is None:
            raise MarketDataUnavailable(f"MULTIDESK_MOTILAL_MARKET_DATA_CLIENT_ID: there is no client {client_id}")
        if client.broker != BrokerName.MOTILAL:
            raise MarketDataUnavailable(
                f"MULTIDESK_MOTILAL_MARKET_DATA_CLIENT_ID: client {client_id} is a {client.broker} client, not Motilal"
            )
        if not client.is_active:
            raise MarketDataUnavailable(f"MULTIDESK_MOTILAL_MARKET_DATA_CLIENT_ID: client {client_id} is deactivated")
        try:
            return broker_account(vault, client)
        except VaultError:
            raise MarketDataUnavailable(
                f"the credentials of market-data client {client_id} cannot be decrypted; enter them again"
            ) from None

    return resolve


async def last_prices(market: MarketData, instruments: Sequence[InstrumentRef]) -> dict[int, Decimal]:
    """The port's last price for each instrument it can price now (fresh where the source needs a request)."""
    if not instruments:
        return {}
    try:
        quotes = await market.quotes(instruments)
    except BrokerError as exc:
        log.info("no market prices for %d instruments: %s", len(instruments), exc)
        return {}
    return {token_id: quote.ltp for token_id, quote in quotes.items() if quote.ltp > 0}


def market_priced(market: MarketData, positions: list[BrokerPosition]) -> list[BrokerPosition]:
    """Positions valued at the port's last price where it has one (the broker's own last price otherwise), so
    P&L, exposure and the desk's quotes agree."""
    priced = []
    for position in positions:
        quote = market.latest(position.token_id)
        priced.append(replace(position, last_price=quote.ltp) if quote is not None and quote.ltp > 0 else position)
    return priced
