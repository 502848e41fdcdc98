"""The book across clients: every visible client's positions and demat holdings, grouped by token, with totals.

Each client's books are read once (funds, positions, holdings) with no database connection held, several clients at a
time but never more than BOOK_CONCURRENCY. Per token a client has one lot per trade type as the holders of a token
see it (services/holdings.py: the demat holding is part of DELIVERY), plus flat lots that realised P&L today, so the
day's P&L counts trades already closed. A holding is placed on one instrument of ours (NSE preferred) so shares listed
on two exchanges are counted once. Lots are valued at the market-data port's last price, else the broker's own.
A client whose broker cannot be read is an error entry and in none of the figures.
"""

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.brokers.base import BrokerHolding, BrokerPosition
from app.context import AppContext
from app.db import release_connection
from app.enums import Closes
from app.models import Client, Instrument, User
from app.models.instrument import instrument_ref
from app.models.types import canonical_money
from app.schemas.book import (
    BookClientError,
    BookClientPnl,
    BookLine,
    BookPositionsOut,
    BookSummaryOut,
    BookToken,
)
from app.services.clients import visible_clients
from app.services.holdings import Lot, lots
from app.services.market_data import last_prices
from app.services.portfolio import Books, read_books, read_error

BOOK_CONCURRENCY = 16
ZERO = Decimal("0")
PAISE = Decimal("0.01")
AVERAGE = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class ClientBook:
    client: Client
    books: Books
    lines: list[tuple[int, BookLine]]

    @property
    def pnl(self) -> Decimal:
        return sum((line.realised_pnl + line.unrealised_pnl for _, line in self.lines), ZERO)


@dataclass(frozen=True, slots=True)
class Book:
    clients: list[ClientBook]
    instruments: dict[int, Instrument]
    errors: list[BookClientError]


async def read_book(ctx: AppContext, session: AsyncSession, user: User) -> Book:
    query = visible_clients(user).where(Client.is_active.is_(True)).order_by(Client.display_name, Client.id)
    clients = list(await session.scalars(query))
    await release_connection(session)  # no connection held while the brokers answer
    slots = asyncio.Semaphore(BOOK_CONCURRENCY)

    async def one(client: Client) -> Books:
        async with slots:
            return await read_books(ctx, client, with_holdings=True)

    results = await asyncio.gather(*(one(c) for c in clients), return_exceptions=True)
    read: list[tuple[Client, Books]] = []
    errors: list[BookClientError] = []
    for client, result in zip(clients, results, strict=True):
        assert client.id is not None
        if isinstance(result, BaseException):
            error = read_error(client, result)
            errors.append(BookClientError(client_id=client.id, client_name=client.display_name, error=error))
        else:
            read.append((client, result))
    instruments = await _instruments(session, [books for _, books in read])
    await release_connection(session)
    market = await last_prices(ctx.market, [instrument_ref(i) for i in instruments.values()])
    return Book([_client_book(c, b, instruments, market) for c, b in read], instruments, errors)


async def _instruments(session: AsyncSession, books: Sequence[Books]) -> dict[int, Instrument]:
    tokens = {p.token_id for b in books for p in b.positions} | {
        t for b in books for h in b.holdings for t in h.tokens.values()
    }
    if not tokens:
        return {}
    return {i.token_id: i for i in await session.scalars(select(Instrument).where(Instrument.token_id.in_(tokens)))}


def _placed(holding: BrokerHolding, instruments: dict[int, Instrument]) -> Instrument | None:
    """The instrument of ours a holding is counted on: NSE first, then the other exchanges by name."""
    for exchange, token in sorted(holding.tokens.items(), key=lambda item: (item[0] != "NSE", item[0])):
        instrument = instruments.get(token)
        if instrument is not None and instrument.exchange.upper() == exchange:
            return instrument
    return None


def _client_book(
    client: Client, books: Books, instruments: dict[int, Instrument], market: dict[int, Decimal]
) -> ClientBook:
    held: dict[int, list[BrokerHolding]] = {}
    for holding in books.holdings:
        instrument = _placed(holding, instruments)
        if instrument is not None:
            held.setdefault(instrument.token_id, []).append(holding)
    tokens = sorted({p.token_id for p in books.positions} | set(held))
    lines: list[tuple[int, BookLine]] = []
    for token_id in tokens:
        instrument = instruments.get(token_id)
        exchange = instrument.exchange if instrument is not None else "NSE"
        found = lots(token_id, exchange, books.positions, held.get(token_id, []))
        found += _flat_with_pnl(token_id, books.positions, found)
        lines.extend((token_id, _line(client, lot, market.get(token_id))) for lot in found)
    return ClientBook(client, books, lines)


def _flat_with_pnl(token_id: int, positions: Sequence[BrokerPosition], open_lots: list[Lot]) -> list[Lot]:
    """Positions closed today with realised P&L: flat, so not a lot to exit, but part of the day's P&L."""
    have = {lot.trade_type for lot in open_lots}
    return [
        Lot(p.trade_type, 0, 0, p.average_price, p.realised_pnl, p.last_price, Closes.POSITION)
        for p in positions
        if p.token_id == token_id and p.trade_type not in have and p.realised_pnl != 0
    ]


def _line(client: Client, lot: Lot, market_price: Decimal | None) -> BookLine:
    assert client.id is not None
    price = market_price or lot.last_price
    unrealised = ZERO if price is None else ((price - lot.average_price) * lot.net_quantity).quantize(PAISE)
    return BookLine(
        client_id=client.id,
        client_name=client.display_name,
        trade_type=lot.trade_type,
        net_quantity=lot.net_quantity,
        held_quantity=lot.held,
        average_price=canonical_money(lot.average_price.quantize(AVERAGE)),
        last_price=price,
        unrealised_pnl=canonical_money(unrealised),
        realised_pnl=canonical_money(lot.realised_pnl.quantize(PAISE)),
    )


def positions(book: Book) -> BookPositionsOut:
    """Per token (by symbol) its clients' lots (by client name, then trade type) and the token's totals."""
    by_token: dict[int, list[BookLine]] = {}
    for client_book in book.clients:
        for token_id, line in client_book.lines:
            by_token.setdefault(token_id, []).append(line)
    tokens = [_token(token_id, lines, book.instruments.get(token_id)) for token_id, lines in by_token.items()]
    tokens.sort(key=lambda t: (t.symbol, t.exchange, t.token_id))
    return BookPositionsOut(tokens=tokens, errors=book.errors)


def _token(token_id: int, lines: list[BookLine], instrument: Instrument | None) -> BookToken:
    price = next((line.last_price for line in lines if line.last_price is not None), None)
    net = sum(line.net_quantity for line in lines)
    return BookToken(
        token_id=token_id,
        symbol=instrument.symbol if instrument is not None else str(token_id),
        exchange=instrument.exchange if instrument is not None else "",
        last_price=price,
        net_quantity=net,
        net_value=None if price is None else canonical_money((price * net).quantize(PAISE)),
        unrealised_pnl=canonical_money(sum((line.unrealised_pnl for line in lines), ZERO)),
        realised_pnl=canonical_money(sum((line.realised_pnl for line in lines), ZERO)),
        clients=lines,
    )


def summary(book: Book) -> BookSummaryOut:
    lines = [line for c in book.clients for _, line in c.lines]
    realised = sum((line.realised_pnl for line in lines), ZERO)
    unrealised = sum((line.unrealised_pnl for line in lines), ZERO)
    exposure = sum((abs(line.net_quantity) * line.last_price for line in lines if line.last_price is not None), ZERO)
    ranked = sorted(book.clients, key=lambda c: (c.pnl, c.client.display_name, c.client.id or 0))
    return BookSummaryOut(
        pnl_today=canonical_money(realised + unrealised),
        realised_pnl=canonical_money(realised),
        unrealised_pnl=canonical_money(unrealised),
        gross_exposure=canonical_money(exposure.quantize(PAISE)),
        margin_used=canonical_money(sum((c.books.funds.margin_used for c in book.clients), ZERO)),
        margin_available=canonical_money(sum((c.books.funds.margin_available for c in book.clients), ZERO)),
        clients=len(book.clients),
        clients_with_open_positions=sum(1 for c in book.clients if any(line.net_quantity for _, line in c.lines)),
        unpriced_lots=sum(1 for line in lines if line.net_quantity and line.last_price is None),
        best_client=_pnl(ranked[-1]) if ranked else None,
        worst_client=_pnl(ranked[0]) if ranked else None,
        errors=book.errors,
    )


def _pnl(client_book: ClientBook) -> BookClientPnl:
    assert client_book.client.id is not None
    return BookClientPnl(
        client_id=client_book.client.id,
        client_name=client_book.client.display_name,
        pnl=canonical_money(client_book.pnl),
    )


CSV_COLUMNS = (
    "token_id",
    "symbol",
    "exchange",
    "client_id",
    "client_name",
    "trade_type",
    "net_quantity",
    "held_quantity",
    "average_price",
    "last_price",
    "unrealised_pnl",
    "realised_pnl",
    "error",
)


def csv_rows(book: BookPositionsOut) -> Iterator[list[object]]:
    """The CSV's rows: one per client lot (money as plain decimals), then one per unreadable client."""
    yield list(CSV_COLUMNS)
    for token in book.tokens:
        for line in token.clients:
            yield [
                token.token_id,
                token.symbol,
                token.exchange,
                line.client_id,
                line.client_name,
                line.trade_type.value,
                line.net_quantity,
                line.held_quantity,
                _plain(line.average_price),
                _plain(line.last_price),
                _plain(line.unrealised_pnl),
                _plain(line.realised_pnl),
                "",
            ]
    for error in book.errors:
        yield ["", "", "", error.client_id, error.client_name, "", "", "", "", "", "", "", error.error]


def _plain(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")
