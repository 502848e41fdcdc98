"""MotilalBroker: the BrokerAdapter for Motilal Oswal's OpenAPI (REST, polled; no pushed order updates).

One pooled HTTP client for every client account; a session (AuthToken) per client, logged in on first use and
cached (session.py). The services call it through BrokerRegistry, which already spaces each account's orders to
`orders_per_second` and times every call out.

Orders:
  - our tag ("MD<order id>", at most 10 characters) is sent as Motilal's `tag` and read back from the books, so a
    FAILED order is found by reconciliation;
  - MARKET and SL-M are refused by Motilal from API channels (M01108). A MARKET order is sent as a LIMIT at the
    last price (getltpdata) plus/minus market_protection_pct, an SL-M as a STOPLOSS with its limit that far
    beyond the trigger; the order's `note` says so (and is kept per tag, so a later order-book view of the same
    order, even after a lost answer, carries it too). No last price: the order is refused, nothing is sent;
  - placement is never retried here. An auth error on placement is raised (the broker took nothing) and the
    dispatcher logs in again and places once more; reads, modify and cancel log in again and retry once
    themselves, because an auth refusal means the request did nothing;
  - the answer to a placement is the order's order-book row, read right after (a protected LIMIT may already be
    Traded); if that read fails the order is reported OPEN, and reconciliation brings it up to date.
Quotes need a session: `quote` uses the session of the last client that logged in (Motilal's prices are the same
for every client); with none yet it raises BrokerUnavailable.
"""

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from app.brokers.base import (
    BrokerAccount,
    BrokerAuthError,
    BrokerCapabilities,
    BrokerError,
    BrokerFunds,
    BrokerHolding,
    BrokerOrder,
    BrokerOrderAck,
    BrokerOrderNotFound,
    BrokerOrderRequest,
    BrokerPosition,
    BrokerRejected,
    BrokerTrade,
    BrokerUnavailable,
    InstrumentRef,
    OrderListener,
    Quote,
)
from app.brokers.motilal import mapping, portfolio
from app.brokers.motilal.client import (
    CANCEL_ORDER,
    DP_HOLDINGS,
    LTP,
    MARGIN_DETAIL,
    MODIFY_ORDER,
    ORDER_BOOK,
    PLACE_ORDER,
    POSITIONS,
    TRADE_BOOK,
    MotilalConfig,
    MotilalHttp,
)
from app.brokers.motilal.session import SessionStore
from app.enums import CLOSED_STATUSES, BrokerName, OrderStatus, OrderType, TradeType

log = logging.getLogger(__name__)

# How long the read that turns a placement into an order-book row may take; the order is placed either way.
ACK_READ_TIMEOUT_S = 2.0
NOTES_KEPT = 20_000


def capabilities(config: MotilalConfig) -> BrokerCapabilities:
    return BrokerCapabilities(
        order_types=frozenset(OrderType),  # MARKET and SL-M by conversion (see the module docstring)
        trade_types=frozenset(TradeType),
        supports_modify=True,
        partial_fills=True,
        streaming=False,
        pushes_order_updates=False,
        orders_per_second=config.orders_per_second,
    )


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MotilalBroker:
    name: str = BrokerName.MOTILAL.value

    def __init__(
        self,
        config: MotilalConfig | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.config = config or MotilalConfig()
        self.capabilities: BrokerCapabilities = capabilities(self.config)
        self._http = MotilalHttp(self.config, transport=transport)
        self._sessions = SessionStore(self._http, clock=clock)
        self._clock = clock
        # (client id, tag) -> what the adapter did to the order; bounded, oldest dropped first.
        self._notes: OrderedDict[tuple[int, str], str] = OrderedDict()
        # broker order id -> lot size, for modifying quantities in lots when the book does not say.
        self._lot_sizes: dict[str, int] = {}
        self._quote_account: BrokerAccount | None = None

    # ---- lifecycle ---------------------------------------------------------------------------------------

    async def start(self) -> None:
        await self._http.start()

    async def close(self) -> None:
        await self._http.close()

    def set_order_listener(self, listener: OrderListener | None) -> None:
        """Motilal's order updates are polled (reconciliation), not pushed; nothing to listen to."""

    # ---- sessions and requests -----------------------------------------------------------------------------

    async def ensure_session(self, account: BrokerAccount) -> None:
        await self._sessions.get(account)
        self._quote_account = account

    async def _post(
        self,
        account: BrokerAccount,
        path: str,
        body: dict[str, Any],
        *,
        relogin: bool,
        timeout_s: float | None = None,
    ) -> dict[str, Any]:
        """One authenticated request; with `relogin`, an auth refusal logs in again and repeats it once."""
        for attempt in (1, 2):
            session = await self._sessions.get(account)
            try:
                envelope = await self._http.post(
                    path,
                    body,
                    api_key=account.credentials.get("api_key", ""),
                    client_code=account.broker_client_id,
                    auth_token=session.token,
                    timeout_s=timeout_s,
                )
            except BrokerAuthError:
                # The session is gone: forget it, so the next call (or the dispatcher's ensure_session) logs in.
                self._sessions.drop(account, session.token)
                if not relogin or attempt == 2:
                    raise
                log.info("motilal session of client %s refused; logging in again", account.client_id)
                continue
            self._quote_account = account
            return envelope
        raise AssertionError("unreachable")

    async def _book(self, account: BrokerAccount, *, timeout_s: float | None = None) -> list[dict[str, Any]]:
        return mapping.rows(await self._post(account, ORDER_BOOK, {}, relogin=True, timeout_s=timeout_s))

    # ---- orders --------------------------------------------------------------------------------------------

    async def place_order(self, account: BrokerAccount, req: BrokerOrderRequest) -> BrokerOrderAck:
        instrument = req.instrument
        exchange = mapping.exchange_for(instrument)
        product = mapping.product_for(req.trade_type, exchange)
        quantity_in_lots = mapping.lots(req.quantity, instrument.lot_size)
        if len(req.tag) > 10:
            raise BrokerRejected(f"INVALID_TAG: Motilal tags hold 10 characters, {req.tag!r} has more", "INVALID_TAG")
        order_type, price, trigger, note = await self._working_terms(account, req, exchange)
        if note:
            self._remember_note(account.client_id, req.tag, note)
        body = {
            "exchange": exchange,
            "symboltoken": instrument.token_id,
            "buyorsell": req.side.value,
            "ordertype": order_type,
            "producttype": product,
            "orderduration": "DAY",
            "price": float(price or 0),
            "triggerprice": float(trigger or 0),
            "quantityinlot": quantity_in_lots,
            "disclosedquantity": 0,
            "amoorder": "N",
            "tag": req.tag,
        }
        envelope = await self._post(account, PLACE_ORDER, body, relogin=False)
        order_id = mapping.unique_order_id(envelope)
        if order_id is None:
            raise BrokerUnavailable("Motilal accepted the order but sent no order id; it will be found by its tag")
        self._lot_sizes[order_id] = instrument.lot_size
        fallback = BrokerOrder(
            broker_order_id=order_id,
            tag=req.tag,
            token_id=instrument.token_id,
            side=req.side,
            order_type=mapping.order_type(order_type),
            trade_type=req.trade_type,
            quantity=req.quantity,
            filled_quantity=0,
            average_price=None,
            price=price,
            trigger_price=trigger,
            status=OrderStatus.OPEN,
            reason=None,
            updated_at=self._clock(),
            note=note,
        )
        return await self._reread(account, order_id, fallback)

    async def _working_terms(
        self, account: BrokerAccount, req: BrokerOrderRequest, exchange: str
    ) -> tuple[str, Decimal | None, Decimal | None, str | None]:
        """(Motilal order type, price, trigger, note): MARKET and SL-M become protected LIMIT / STOPLOSS."""
        band = self.config.market_protection_pct
        tick = req.instrument.tick_size
        if req.order_type is OrderType.LIMIT:
            return "LIMIT", req.price, None, None
        if req.order_type is OrderType.SL:
            return "STOPLOSS", req.price, req.trigger_price, None
        if req.order_type is OrderType.SL_M:
            if req.trigger_price is None:
                raise BrokerRejected("TRIGGER_REQUIRED: an SL-M order needs a trigger price", code="TRIGGER_REQUIRED")
            limit = mapping.protected_limit(req.trigger_price, req.side, band, tick)
            note = mapping.stop_market_note(req.side, req.trigger_price, limit, band)
            return "STOPLOSS", limit, req.trigger_price, note
        try:
            ltp = await self._last_price(account, exchange, req.instrument.token_id)
        except (BrokerUnavailable, BrokerRejected) as exc:
            raise BrokerRejected(
                f"NO_LAST_PRICE: Motilal gave no last price to protect this MARKET order with ({exc}); "
                "nothing was sent",
                code="NO_LAST_PRICE",
            ) from None
        limit = mapping.protected_limit(ltp, req.side, band, tick)
        return "LIMIT", limit, None, mapping.market_note(req.side, ltp, limit, band)

    async def _last_price(self, account: BrokerAccount, exchange: str, token_id: int) -> Decimal:
        # No re-login here: on an auth error nothing has been sent, and the dispatcher logs in and places again.
        envelope = await self._post(account, LTP, {"exchange": exchange, "scripcode": token_id}, relogin=False)
        data = envelope.get("data")
        if not isinstance(data, dict):
            raise BrokerUnavailable("Motilal's price answer had no data")
        return mapping.quote(token_id, data, now=self._clock()).ltp

    async def _reread(self, account: BrokerAccount, order_id: str, fallback: BrokerOrder) -> BrokerOrder:
        """The order's current row; the fallback if the book cannot be read or does not show it yet."""
        try:
            for row in await self._book(account, timeout_s=min(ACK_READ_TIMEOUT_S, self.config.timeout_s)):
                if str(row.get("uniqueorderid")) == order_id:
                    return self._order(account, row)
        except BrokerError as exc:
            log.warning("motilal order %s: the book could not be read after the request (%s)", order_id, exc)
        return fallback

    async def modify_order(
        self,
        account: BrokerAccount,
        broker_order_id: str,
        *,
        quantity: int | None = None,
        price: Decimal | None = None,
        trigger_price: Decimal | None = None,
    ) -> BrokerOrderAck:
        """Change an open order; quantity is the new total (filled included), as Motilal's newquantityinlot."""
        row = await self._row(account, broker_order_id)
        current = self._order(account, row)
        if current.status in CLOSED_STATUSES:
            raise BrokerRejected(
                f"ORDER_NOT_OPEN: the order is {row.get('orderstatus')} at Motilal", code="ORDER_NOT_OPEN"
            )
        lot = mapping.integer(row.get("lotsize")) or self._lot_sizes.get(broker_order_id, 1)
        new_quantity = current.quantity if quantity is None else quantity
        new_price = current.price if price is None else price
        new_trigger = current.trigger_price if trigger_price is None else trigger_price
        body = {
            "uniqueorderid": broker_order_id,
            "newordertype": str(row.get("ordertype") or "LIMIT").upper(),
            "neworderduration": "DAY",
            "newprice": float(new_price or 0),
            "newtriggerprice": float(new_trigger or 0),
            "newquantityinlot": mapping.lots(new_quantity, lot),
            "newdisclosedquantity": 0,
            "newgoodtilldate": "",
            "lastmodifiedtime": row.get("lastmodifiedtime") or "",
            "qtytradedtoday": mapping.integer(row.get("qtytradedtoday")),
        }
        await self._post(account, MODIFY_ORDER, body, relogin=True)
        expected = replace(
            current, quantity=new_quantity, price=new_price, trigger_price=new_trigger, updated_at=self._clock()
        )
        return await self._reread(account, broker_order_id, expected)

    async def cancel_order(self, account: BrokerAccount, broker_order_id: str) -> BrokerOrderAck:
        row = await self._row(account, broker_order_id)
        current = self._order(account, row)
        if current.status in CLOSED_STATUSES:
            raise BrokerRejected(
                f"ORDER_NOT_OPEN: the order is {row.get('orderstatus')} at Motilal", code="ORDER_NOT_OPEN"
            )
        await self._post(account, CANCEL_ORDER, {"uniqueorderid": broker_order_id}, relogin=True)
        return await self._reread(account, broker_order_id, current)

    async def order_status(self, account: BrokerAccount, broker_order_id: str) -> BrokerOrder:
        return self._order(account, await self._row(account, broker_order_id))

    async def _row(self, account: BrokerAccount, broker_order_id: str) -> dict[str, Any]:
        for row in await self._book(account):
            if str(row.get("uniqueorderid")) == broker_order_id:
                return row
        raise BrokerOrderNotFound(f"Motilal has no order {broker_order_id} for this client today")

    async def order_book(self, account: BrokerAccount) -> list[BrokerOrder]:
        return [self._order(account, row) for row in await self._book(account)]

    def _order(self, account: BrokerAccount, row: dict[str, Any]) -> BrokerOrder:
        note = self._notes.get((account.client_id, str(row.get("tag") or "")))
        return mapping.order(row, now=self._clock(), note=note)

    def _remember_note(self, client_id: int, tag: str, note: str) -> None:
        self._notes[(client_id, tag)] = note
        self._notes.move_to_end((client_id, tag))
        while len(self._notes) > NOTES_KEPT:
            self._notes.popitem(last=False)

    # ---- books ---------------------------------------------------------------------------------------------

    async def trade_book(self, account: BrokerAccount) -> list[BrokerTrade]:
        """Fills; Motilal's trade rows may lack the tag, which is then taken from the order book."""
        trade_rows = mapping.rows(await self._post(account, TRADE_BOOK, {}, relogin=True))
        tags: dict[str, str] = {}
        if any(not row.get("tag") for row in trade_rows):
            tags = {str(r.get("uniqueorderid")): str(r.get("tag") or "") for r in await self._book(account)}
        now = self._clock()
        return [
            mapping.trade(row, tag=str(row.get("tag") or tags.get(str(row.get("uniqueorderid")), "")), now=now)
            for row in trade_rows
        ]

    async def positions(self, account: BrokerAccount) -> list[BrokerPosition]:
        rows = mapping.rows(await self._post(account, POSITIONS, {}, relogin=True))
        return [portfolio.position(row) for row in rows]

    async def holdings(self, account: BrokerAccount) -> list[BrokerHolding]:
        """The demat account; Motilal sends no last price with it (the services price holdings themselves)."""
        rows = mapping.rows(await self._post(account, DP_HOLDINGS, {}, relogin=True))
        return [h for h in (portfolio.holding(row) for row in rows) if h is not None]

    async def funds(self, account: BrokerAccount) -> BrokerFunds:
        return portfolio.funds(mapping.rows(await self._post(account, MARGIN_DETAIL, {}, relogin=True)))

    async def quote(self, instruments: Sequence[InstrumentRef]) -> dict[int, Quote]:
        account = self._quote_account
        if account is None:
            raise BrokerUnavailable("no Motilal client has logged in yet, so there is no session to ask prices with")

        async def one(instrument: InstrumentRef) -> Quote:
            body = {"exchange": mapping.exchange_for(instrument), "scripcode": instrument.token_id}
            data = (await self._post(account, LTP, body, relogin=True)).get("data")
            if not isinstance(data, dict):
                raise BrokerUnavailable(f"Motilal sent no price for {instrument.symbol}")
            return mapping.quote(instrument.token_id, data, now=self._clock())

        quotes = await asyncio.gather(*(one(i) for i in instruments))
        return {q.token_id: q for q in quotes}
