"""VenueBroker: the simulator adapter for the shared venue (venue_server.py), a BrokerAdapter over HTTP.

Chosen when MULTIDESK_SIMULATOR_URL is set. Each request is one call to the venue, whose verdicts come back as the
typed broker errors the in-process simulator raises (venue_wire.py); a request that gets no answer (refused
connection, timeout, a 5xx) is BrokerUnavailable, no verdict, as with any broker. The venue's pushes reach this
process through one event stream (venue_stream.py): order updates go to the order listener, in order per client
(delivery.py), and price ticks to `prices`, a mirror of the venue's quotes that the simulator market data reads.

Every backend process receives every order update and applies it; applying one is idempotent (fills are unique by
broker trade id), so a process that dies costs no update: the others, or reconciliation, still record it.
"""

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

import httpx
from pydantic import TypeAdapter

from app.brokers.base import (
    BrokerAccount,
    BrokerCapabilities,
    BrokerFunds,
    BrokerHolding,
    BrokerOrder,
    BrokerOrderAck,
    BrokerOrderRequest,
    BrokerPosition,
    BrokerRejected,
    BrokerTrade,
    BrokerUnavailable,
    CashEntry,
    InstrumentMaster,
    InstrumentRef,
    OrderListener,
    Quote,
)
from app.brokers.simulator.adapter import SIMULATOR_CAPABILITIES
from app.brokers.simulator.delivery import OrderDeliveries
from app.brokers.simulator.venue_prices import VenuePrices
from app.brokers.simulator.venue_settings import VenueSettings
from app.brokers.simulator.venue_stream import VenueStream
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
    OrderUpdate,
    raise_error,
)
from app.enums import BrokerName
from app.tasks import stop

logger = logging.getLogger(__name__)


class VenueBroker:
    name: str = BrokerName.SIMULATOR.value

    def __init__(
        self,
        settings: VenueSettings,
        *,
        initial_prices: Mapping[int, Decimal] | None = None,
    ) -> None:
        self.settings = settings
        self._http = httpx.AsyncClient(
            base_url=settings.url,
            timeout=settings.timeout_s,
            # The registry bounds how many calls are in flight; the pool must not be a second, hidden bound.
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=64),
        )
        self._initial_prices = dict(initial_prices or {})
        self._capabilities = SIMULATOR_CAPABILITIES
        self._deliveries = OrderDeliveries()
        self._stream = VenueStream(self._http, settings, self._hello, self._on_event)
        self.prices = VenuePrices(self._register, self._stream.connected.is_set)
        self._stream_task: asyncio.Task[None] | None = None

    @property
    def capabilities(self) -> BrokerCapabilities:
        return self._capabilities

    @property
    def connected(self) -> asyncio.Event:
        """Set while the event stream is up (tests wait for it)."""
        return self._stream.connected

    async def start(self) -> None:
        try:
            # Before anything registers an instrument, so each starts at its reference price.
            await self._hello()
        except BrokerUnavailable as exc:
            logger.warning("simulator venue %s not reachable at start-up (%s); retrying", self.settings.url, exc)
        if self._stream_task is None or self._stream_task.done():
            self._stream_task = asyncio.create_task(self._stream.run(), name="simulator-venue-stream")

    async def close(self) -> None:
        await stop(self._stream_task)
        self._stream_task = None
        await self._deliveries.drain()
        await self._http.aclose()

    def set_order_listener(self, listener: OrderListener | None) -> None:
        self._deliveries.listener = listener

    async def ensure_session(self, account: BrokerAccount) -> None:
        await self.funds(account)

    async def place_order(self, account: BrokerAccount, req: BrokerOrderRequest) -> BrokerOrderAck:
        body = ORDER_REQUEST.dump_python(req, mode="json")
        return await self._call(ORDER, "POST", f"{_path(account)}/orders", account, json=body)

    async def modify_order(
        self,
        account: BrokerAccount,
        broker_order_id: str,
        *,
        quantity: int | None = None,
        price: Decimal | None = None,
        trigger_price: Decimal | None = None,
    ) -> BrokerOrderAck:
        body = {
            "quantity": quantity,
            "price": None if price is None else str(price),
            "trigger_price": None if trigger_price is None else str(trigger_price),
        }
        path = f"{_path(account)}/orders/{broker_order_id}/modify"
        return await self._call(ORDER, "POST", path, account, json=body)

    async def cancel_order(self, account: BrokerAccount, broker_order_id: str) -> BrokerOrderAck:
        return await self._call(ORDER, "POST", f"{_path(account)}/orders/{broker_order_id}/cancel", account)

    async def order_status(self, account: BrokerAccount, broker_order_id: str) -> BrokerOrder:
        return await self._call(ORDER, "GET", f"{_path(account)}/orders/{broker_order_id}", account)

    async def order_book(self, account: BrokerAccount) -> list[BrokerOrder]:
        return await self._call(ORDERS, "GET", f"{_path(account)}/orders", account)

    async def trade_book(self, account: BrokerAccount) -> list[BrokerTrade]:
        return await self._call(TRADES, "GET", f"{_path(account)}/trades", account)

    async def positions(self, account: BrokerAccount) -> list[BrokerPosition]:
        return await self._call(POSITIONS, "GET", f"{_path(account)}/positions", account)

    async def holdings(self, account: BrokerAccount) -> list[BrokerHolding]:
        return await self._call(HOLDINGS, "GET", f"{_path(account)}/holdings", account)

    async def funds(self, account: BrokerAccount) -> BrokerFunds:
        return await self._call(FUNDS, "GET", f"{_path(account)}/funds", account)

    async def quote(self, instruments: Sequence[InstrumentRef]) -> dict[int, Quote]:
        return await self.prices.quotes(instruments)

    async def transfer_cash(self, account: BrokerAccount, amount: Decimal, ref: str, note: str) -> CashEntry:
        body = {"amount": str(amount), "ref": ref, "note": note}
        return await self._call(CASH_ENTRY, "POST", f"{_path(account)}/cash", account, json=body)

    async def cash_ledger(self, account: BrokerAccount) -> list[CashEntry]:
        return await self._call(CASH_ENTRIES, "GET", f"{_path(account)}/ledger", account)

    async def instruments(self, exchange: str) -> InstrumentMaster:
        raise BrokerRejected(
            "The simulator has no instrument master: its instruments are data/tokens.csv.", code="NO_INSTRUMENT_MASTER"
        )

    async def set_price(self, token_id: int, price: Decimal) -> Quote:
        """Move an instrument at the venue (tests and demos); its resting orders match as on a tick."""
        quotes = await self._request(QUOTES, "POST", f"/prices/{token_id}", json={"price": str(price)})
        return quotes[0]

    async def _call(
        self, adapter: TypeAdapter[Any], method: str, path: str, account: BrokerAccount, json: object = None
    ) -> Any:
        # The venue opens an account on first use with the cash it should start with, as the in-process one does.
        params = {"opening_cash": str(account.opening_cash)}
        return await self._request(adapter, method, path, params=params, json=json)

    async def _request(
        self, adapter: TypeAdapter[Any], method: str, path: str, *, params: Any = None, json: object = None
    ) -> Any:
        try:
            response = await self._http.request(method, path, params=params, json=json)
        except httpx.HTTPError as exc:
            raise BrokerUnavailable(f"simulator venue: {type(exc).__name__} {exc}".strip()) from exc
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = None
            raise_error(response.status_code, body)
        return adapter.validate_json(response.content) if response.content else None

    async def _register(self, instruments: Sequence[InstrumentRef]) -> list[Quote]:
        body = INSTRUMENTS.dump_python(list(instruments), mode="json")
        return await self._request(QUOTES, "POST", "/quotes", json=body)

    async def _hello(self) -> None:
        """On every (re)connection: tell the venue our starting prices and instruments, read its leverage."""
        if self._initial_prices:
            prices = PRICES.dump_python(self._initial_prices, mode="json")
            await self._request(_NONE, "POST", "/prices/initial", json=prices)
        info = await self._request(_INFO, "GET", "/info")
        self._capabilities = replace(SIMULATOR_CAPABILITIES, leverage=LEVERAGE.validate_python(info["leverage"]))
        await self.prices.reregister()

    def _on_event(self, kind: str, data: str) -> None:
        if kind == "quotes":
            self.prices.apply(QUOTES.validate_json(data))
        elif kind == "order":
            update = OrderUpdate.model_validate_json(data)
            self._deliveries.publish(update.client_id, [update.order])


_NONE: TypeAdapter[Any] = TypeAdapter(Any)
_INFO: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[str, Any])


def _path(account: BrokerAccount) -> str:
    return f"/accounts/{account.client_id}"
