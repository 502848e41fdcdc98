"""The simulator as one shared venue: an HTTP service that owns the simulated broker's books, prices and journal.

`python -m app.cli simulator serve --port 8100` runs it (one process, one replica: it holds the journal's lock).
Every backend process's simulator adapter (venue_client.py) calls it, so whichever process asks there is one set
of books and one price path, as with a real broker. Each endpoint is one SimulatorBroker call; its typed errors
travel as HTTP errors (venue_wire.py). What the venue does on its own, price ticks and fills of resting orders, is
pushed to every subscriber of GET /events (server-sent events, venue_events.py).

Accounts are created on first use with the `opening_cash` the caller sends, as the in-process simulator does.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Body, FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from app.brokers.base import BrokerAccount, BrokerError, BrokerRejected
from app.brokers.simulator.adapter import SimulatorBroker
from app.brokers.simulator.settings import SimulatorSettings
from app.brokers.simulator.venue_events import VenueEvents
from app.brokers.simulator.venue_wire import (
    CASH_ENTRIES,
    CASH_ENTRY,
    FUNDS,
    HOLDINGS,
    INSTRUMENTS,
    LEVERAGE,
    ORDER,
    ORDER_REQUEST,
    ORDERS,
    POSITIONS,
    PRICES,
    QUOTES,
    TRADES,
    Modify,
    Transfer,
    error_body,
)
from app.market.clock import make_clock

OpeningCash = Annotated[Decimal, Query(ge=0)]


def _json(data: bytes) -> Response:
    return Response(data, media_type="application/json")


def _account(client_id: int, opening_cash: Decimal) -> BrokerAccount:
    return BrokerAccount(client_id, broker_client_id=str(client_id), credentials={}, opening_cash=opening_cash)


def create_venue_app(settings: SimulatorSettings) -> FastAPI:
    """The venue's app; the simulated broker (and its journal) opens when the app starts serving."""
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The venue keeps the trading day on the same clock as the app (MULTIDESK_SIM_CLOCK_START).
        broker = SimulatorBroker(settings, clock=make_clock().now)
        events = VenueEvents()
        broker.set_order_listener(events.order)
        broker.prices.add_tick_listener(events.quotes)
        state.update(broker=broker, events=events)
        await broker.start()
        try:
            yield
        finally:
            await broker.close()

    app = FastAPI(title="MultiDesk simulator venue", lifespan=lifespan, docs_url=None, redoc_url=None)

    def broker() -> SimulatorBroker:
        return state["broker"]

    @app.exception_handler(BrokerError)
    async def broker_error(_: Request, exc: BrokerError) -> JSONResponse:
        status, body = error_body(exc)
        return JSONResponse(body, status_code=status)

    @app.exception_handler(ValueError)
    async def bad_value(_: Request, exc: ValueError) -> JSONResponse:
        status, body = error_body(BrokerRejected(str(exc), code="INVALID_REQUEST"))
        return JSONResponse(body, status_code=status)

    @app.get("/health")
    async def health() -> JSONResponse:
        failed = broker().journal_failed
        body = {"status": "failed" if failed else "ok", "subscribers": state["events"].subscribers}
        return JSONResponse(body, status_code=503 if failed else 200)

    @app.get("/info")
    async def info() -> dict[str, Any]:
        leverage = LEVERAGE.dump_python(dict(broker().settings.leverage), mode="json")
        return {"epoch": state["events"].epoch, "leverage": leverage}

    @app.get("/events")
    async def events(last_event_id: Annotated[str | None, Header()] = None) -> StreamingResponse:
        stream = state["events"].stream(last_event_id, broker().prices.quotes)
        return StreamingResponse(stream, media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    @app.post("/prices/initial")
    async def initial_prices(body: Annotated[dict[str, Any], Body()]) -> Response:
        broker().prices.add_initial_prices(PRICES.validate_python(body))
        return Response(status_code=204)

    @app.post("/prices/{token_id}")
    async def set_price(token_id: int, price: Annotated[Decimal, Body(embed=True)]) -> Response:
        """Move an instrument to a price (tests and demos), matching its orders as a tick would."""
        try:
            quote = broker().set_price(token_id, price)
        except KeyError as exc:
            raise BrokerRejected(str(exc), code="UNKNOWN_INSTRUMENT") from None
        return _json(QUOTES.dump_json([quote]))

    @app.post("/quotes")
    async def quotes(body: Annotated[list[Any], Body()]) -> Response:
        got = await broker().quote(INSTRUMENTS.validate_python(body))
        return _json(QUOTES.dump_json(list(got.values())))

    @app.post("/accounts/{client_id}/orders")
    async def place(client_id: int, opening_cash: OpeningCash, body: Annotated[dict[str, Any], Body()]) -> Response:
        req = ORDER_REQUEST.validate_python(body)
        return _json(ORDER.dump_json(await broker().place_order(_account(client_id, opening_cash), req)))

    @app.post("/accounts/{client_id}/orders/{broker_order_id}/modify")
    async def modify(client_id: int, broker_order_id: str, opening_cash: OpeningCash, body: Modify) -> Response:
        order = await broker().modify_order(
            _account(client_id, opening_cash),
            broker_order_id,
            quantity=body.quantity,
            price=body.price,
            trigger_price=body.trigger_price,
        )
        return _json(ORDER.dump_json(order))

    @app.post("/accounts/{client_id}/orders/{broker_order_id}/cancel")
    async def cancel(client_id: int, broker_order_id: str, opening_cash: OpeningCash) -> Response:
        return _json(ORDER.dump_json(await broker().cancel_order(_account(client_id, opening_cash), broker_order_id)))

    @app.get("/accounts/{client_id}/orders/{broker_order_id}")
    async def order_status(client_id: int, broker_order_id: str, opening_cash: OpeningCash) -> Response:
        return _json(ORDER.dump_json(await broker().order_status(_account(client_id, opening_cash), broker_order_id)))

    @app.get("/accounts/{client_id}/orders")
    async def order_book(client_id: int, opening_cash: OpeningCash) -> Response:
        return _json(ORDERS.dump_json(await broker().order_book(_account(client_id, opening_cash))))

    @app.get("/accounts/{client_id}/trades")
    async def trade_book(client_id: int, opening_cash: OpeningCash) -> Response:
        return _json(TRADES.dump_json(await broker().trade_book(_account(client_id, opening_cash))))

    @app.get("/accounts/{client_id}/positions")
    async def positions(client_id: int, opening_cash: OpeningCash) -> Response:
        return _json(POSITIONS.dump_json(await broker().positions(_account(client_id, opening_cash))))

    @app.get("/accounts/{client_id}/holdings")
    async def holdings(client_id: int, opening_cash: OpeningCash) -> Response:
        return _json(HOLDINGS.dump_json(await broker().holdings(_account(client_id, opening_cash))))

    @app.post("/accounts/{client_id}/cash")
    async def transfer_cash(client_id: int, opening_cash: OpeningCash, body: Transfer) -> Response:
        entry = await broker().transfer_cash(_account(client_id, opening_cash), body.amount, body.ref, body.note)
        return _json(CASH_ENTRY.dump_json(entry))

    @app.get("/accounts/{client_id}/ledger")
    async def cash_ledger(client_id: int, opening_cash: OpeningCash) -> Response:
        return _json(CASH_ENTRIES.dump_json(await broker().cash_ledger(_account(client_id, opening_cash))))

    @app.get("/accounts/{client_id}/funds")
    async def funds(client_id: int, opening_cash: OpeningCash) -> Response:
        return _json(FUNDS.dump_json(await broker().funds(_account(client_id, opening_cash))))

    return app
