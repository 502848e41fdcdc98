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
  - one rule for sessions, every call alike: a request Motilal refuses with a session code (SessionRefused:
    MO8001/MO8002/MO8003/MO1011/MO2007/MO1097, or HTTP 401/403) did nothing, so the session is dropped, one
    fresh login is made and that request is sent once more; a second refusal is raised. A placement is repeated
    only on that proof: one with no answer (timeout, 5xx) is never sent again, reconciliation finds it by tag.
    A refused login is a BrokerAuthError naming what was wrong, and is not retried (session.py remembers it);
  - one order is read with Motilal's order-detail call (and its fills with trade-detail), never by scanning the
    order book: the answer to a placement, modify or cancel is that read, made right after (a protected LIMIT may
    already be Traded); if it fails the order is reported as it was asked for, and reconciliation brings it up to
    date. Only order_book (reconciliation) and trade_book read the whole book;
  - a modify sends back the order's lastmodifiedtime and qtytradedtoday from that read; before the first
    modification Motilal shows lastmodifiedtime "0" and refuses it (MO1089), so the entry time is sent instead.
    If the order moved between the read and the modify (MO1089 / MO1090) it is read again and the modify sent
    once more; Motilal's "not open" answers (MO1065-MO1069) become ORDER_NOT_OPEN.
Quotes need a session: `market_quote` asks with the account it is given (the market-data port's designated
account, app/market/motilal.py); `quote` uses the session of the last client that logged in (Motilal's prices are
the same for every client) and with none yet raises BrokerUnavailable.
"""

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from app.brokers.base import (
    BrokerAccount,
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
    CashEntry,
    InstrumentMaster,
    InstrumentRef,
    OrderListener,
    Quote,
)
from app.brokers.motilal import mapping, order_rows, portfolio, scrip_master
from app.brokers.motilal.client import (
    CANCEL_ORDER,
    DP_HOLDINGS,
    LTP,
    MARGIN_DETAIL,
    MODIFY_ORDER,
    ORDER_BOOK,
    ORDER_DETAIL,
    PLACE_ORDER,
    POSITIONS,
    TRADE_BOOK,
    TRADE_DETAIL,
    MotilalConfig,
    MotilalHttp,
    SessionRefused,
)
from app.brokers.motilal.session import SessionStore
from app.enums import BrokerName, OrderStatus, OrderType, TradeType

log = logging.getLogger(__name__)

# How long the reads that turn a placement into the order's row (and fills) may take; it is placed either way.
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
        instrument_master=True,
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
        self._transport = transport
        self._sessions = SessionStore(self._http, clock=clock)
        self._clock = clock
        # (client id, tag) -> what the adapter did to the order; bounded, oldest dropped first.
        self._notes: OrderedDict[tuple[int, str], str] = OrderedDict()
        # broker order id -> lot size, for modifying quantities in lots when the row does not say; and -> our tag,
        # as order-detail rows carry none. Bounded like the notes.
        self._lot_sizes: OrderedDict[str, int] = OrderedDict()
        self._tags: OrderedDict[str, str] = OrderedDict()
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
        timeout_s: float | None = None,
    ) -> dict[str, Any]:
        """One authenticated request; refused for its session, it is sent once more after one fresh login."""
        for attempt in (1, 2):
            session = await self._sessions.get(account)
            try:
                envelope = await self._http.post(
                    path,
                    body,
                    api_key=account.credentials.get("api_key", ""),
                    client_code=account.broker_client_id,
                    auth_token=session.token,
                    api_secret=account.credentials.get("api_secret") or None,
                    access_token=session.access_token,
                    timeout_s=timeout_s,
                )
            except SessionRefused:
                # Refused before it was acted on: forget the session (concurrent callers share one new login).
                self._sessions.drop(account, session.token)
                if attempt == 2:
                    raise
                log.info("motilal session of client %s refused; logging in again", account.client_id)
                continue
            self._quote_account = account
            return envelope
        raise AssertionError("unreachable")

    async def _book(self, account: BrokerAccount, *, timeout_s: float | None = None) -> list[dict[str, Any]]:
        return mapping.rows(await self._post(account, ORDER_BOOK, {}, timeout_s=timeout_s))

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
            "amoorder": "Y" if req.amo else "N",
            "tag": req.tag,
        }
        envelope = await self._post(account, PLACE_ORDER, body)
        order_id = mapping.unique_order_id(envelope)
        if order_id is None:
            raise BrokerUnavailable("Motilal accepted the order but sent no order id; it will be found by its tag")
        _keep(self._lot_sizes, order_id, instrument.lot_size)
        _keep(self._tags, order_id, req.tag)
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
        envelope = await self._post(account, LTP, {"exchange": exchange, "scripcode": token_id})
        data = envelope.get("data")
        if not isinstance(data, dict):
            raise BrokerUnavailable("Motilal's price answer had no data")
        return mapping.quote(token_id, data, now=self._clock()).ltp

    async def _reread(self, account: BrokerAccount, order_id: str, fallback: BrokerOrder) -> BrokerOrder:
        """The order as Motilal holds it right after a request, with its fills; the fallback if it cannot be read in
        ACK_READ_TIMEOUT_S or Motilal does not show it yet."""
        deadline = time.monotonic() + min(ACK_READ_TIMEOUT_S, self.config.timeout_s)
        try:
            row = await self._detail(account, order_id, timeout_s=deadline - time.monotonic())
        except BrokerError as exc:
            log.warning("motilal order %s could not be read after the request (%s)", order_id, exc)
            return fallback
        current = self._order(account, row, tag=fallback.tag)
        left = deadline - time.monotonic()
        return await self._with_fills(account, current, timeout_s=left) if left > 0 else current

    async def _detail(self, account: BrokerAccount, order_id: str, *, timeout_s: float | None = None) -> dict[str, Any]:
        """The order's latest row from Motilal's order detail (a list of its states)."""
        try:
            envelope = await self._post(account, ORDER_DETAIL, {"uniqueorderid": order_id}, timeout_s=timeout_s)
        except BrokerRejected as exc:
            if exc.code == order_rows.ORDER_NOT_FOUND:
                raise BrokerOrderNotFound(f"Motilal has no order {order_id} for this client today") from None
            raise
        row = order_rows.latest(mapping.rows(envelope), now=self._clock())
        if row is None:
            raise BrokerOrderNotFound(f"Motilal has no order {order_id} for this client today")
        return dict(row)

    async def _with_fills(
        self, account: BrokerAccount, current: BrokerOrder, *, timeout_s: float | None = None
    ) -> BrokerOrder:
        """The order with its fills (trade detail), when some traded and we know its tag (fills are matched by it).
        Without them reconciliation copies the fills from the trade book, so a failed read is only logged."""
        if not current.filled_quantity or not current.tag:
            return current
        body = {"uniqueorderid": current.broker_order_id}
        try:
            envelope = await self._post(account, TRADE_DETAIL, body, timeout_s=timeout_s)
        except BrokerError as exc:
            if not (isinstance(exc, BrokerRejected) and exc.code == order_rows.TRADE_NOT_FOUND):
                log.warning("motilal fills of order %s not read (%s)", current.broker_order_id, exc)
            return current
        now = self._clock()
        fills = tuple(order_rows.trade(row, tag=current.tag, now=now) for row in mapping.rows(envelope))
        return replace(current, fills=fills)

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
        row = await self._detail(account, broker_order_id)
        for attempt in (1, 2):
            current = self._order(account, row)
            order_rows.refuse_if_closed(current, row)
            lot = mapping.integer(row.get("lotsize")) or self._lot_sizes.get(broker_order_id, 1)
            expected = replace(
                current,
                quantity=current.quantity if quantity is None else quantity,
                price=current.price if price is None else price,
                trigger_price=current.trigger_price if trigger_price is None else trigger_price,
                updated_at=self._clock(),
            )
            body = order_rows.modify_request(row, expected, lot)
            try:
                await self._post(account, MODIFY_ORDER, body)
            except BrokerRejected as exc:
                order_rows.raise_if_not_open(exc)
                if exc.code not in order_rows.STALE_MODIFY_CODES or attempt == 2:
                    raise
                log.info("motilal order %s changed since it was read (%s); reading it again", broker_order_id, exc)
                row = await self._detail(account, broker_order_id)
                continue
            return await self._reread(account, broker_order_id, expected)
        raise AssertionError("unreachable")

    async def cancel_order(self, account: BrokerAccount, broker_order_id: str) -> BrokerOrderAck:
        row = await self._detail(account, broker_order_id)
        current = self._order(account, row)
        order_rows.refuse_if_closed(current, row)
        try:
            await self._post(account, CANCEL_ORDER, {"uniqueorderid": broker_order_id})
        except BrokerRejected as exc:
            order_rows.raise_if_not_open(exc)
            raise
        return await self._reread(account, broker_order_id, current)

    async def order_status(self, account: BrokerAccount, broker_order_id: str) -> BrokerOrder:
        current = self._order(account, await self._detail(account, broker_order_id))
        return await self._with_fills(account, current)

    async def order_book(self, account: BrokerAccount) -> list[BrokerOrder]:
        """The whole day's book: for reconciliation only (one order is read with order detail)."""
        return [self._order(account, row) for row in await self._book(account)]

    def _order(self, account: BrokerAccount, row: dict[str, Any], *, tag: str | None = None) -> BrokerOrder:
        order_id = str(row.get("uniqueorderid") or "")
        known = str(row.get("tag") or "").strip() or tag or self._tags.get(order_id, "")
        if known and order_id:
            _keep(self._tags, order_id, known)
        note = self._notes.get((account.client_id, known))
        return order_rows.order({**row, "tag": known}, now=self._clock(), note=note)

    def _remember_note(self, client_id: int, tag: str, note: str) -> None:
        self._notes[(client_id, tag)] = note
        self._notes.move_to_end((client_id, tag))
        while len(self._notes) > NOTES_KEPT:
            self._notes.popitem(last=False)

    # ---- books ---------------------------------------------------------------------------------------------

    async def trade_book(self, account: BrokerAccount) -> list[BrokerTrade]:
        """Fills; Motilal's trade rows carry no tag: it is the one we know for the order (from its placement or an
        order-book read), and the order book is read when some order's tag is not known."""
        trade_rows = mapping.rows(await self._post(account, TRADE_BOOK, {}))
        if any(not row.get("tag") and str(row.get("uniqueorderid")) not in self._tags for row in trade_rows):
            await self.order_book(account)  # remembers the tag of every order in it
        now = self._clock()
        return [
            order_rows.trade(row, tag=str(row.get("tag") or self._tags.get(str(row.get("uniqueorderid")), "")), now=now)
            for row in trade_rows
        ]

    async def positions(self, account: BrokerAccount) -> list[BrokerPosition]:
        rows = mapping.rows(await self._post(account, POSITIONS, {}))
        return [portfolio.position(row) for row in rows]

    async def holdings(self, account: BrokerAccount) -> list[BrokerHolding]:
        """The demat account; Motilal sends no last price with it (the services price holdings themselves)."""
        rows = mapping.rows(await self._post(account, DP_HOLDINGS, {}))
        return [h for h in (portfolio.holding(row) for row in rows) if h is not None]

    async def funds(self, account: BrokerAccount) -> BrokerFunds:
        return portfolio.funds(mapping.rows(await self._post(account, MARGIN_DETAIL, {})))

    async def quote(self, instruments: Sequence[InstrumentRef]) -> dict[int, Quote]:
        account = self._quote_account
        if account is None:
            raise BrokerUnavailable("no Motilal client has logged in yet, so there is no session to ask prices with")
        quotes = await asyncio.gather(*(self.market_quote(account, i) for i in instruments))
        return {q.token_id: q for q in quotes}

    async def market_quote(self, account: BrokerAccount, instrument: InstrumentRef) -> Quote:
        """One instrument's quote (getltpdata) with this account's session: the market-data port's request."""
        body = {"exchange": mapping.exchange_for(instrument), "scripcode": instrument.token_id}
        data = (await self._post(account, LTP, body)).get("data")
        if not isinstance(data, dict):
            raise BrokerUnavailable(f"Motilal sent no price for {instrument.symbol}")
        return mapping.quote(instrument.token_id, data, now=self._clock())

    async def transfer_cash(self, account: BrokerAccount, amount: Decimal, ref: str, note: str) -> CashEntry:
        raise BrokerRejected(
            "CASH_NOT_SUPPORTED: Motilal accounts are funded through the broker's own pay-in", code="CASH_NOT_SUPPORTED"
        )

    async def cash_ledger(self, account: BrokerAccount) -> list[CashEntry]:
        raise BrokerRejected(
            "CASH_NOT_SUPPORTED: Motilal's ledger is in its back office, not its trading API", code="CASH_NOT_SUPPORTED"
        )

    async def instruments(self, exchange: str) -> InstrumentMaster:
        """The exchange's scrip master (NSE, BSE, NFO/NSEFO...): public, so no client session is needed."""
        return await scrip_master.fetch(self.config, exchange, transport=self._transport)


def _keep(memory: OrderedDict[str, Any], key: str, value: Any) -> None:
    memory[key] = value
    memory.move_to_end(key)
    while len(memory) > NOTES_KEPT:
        memory.popitem(last=False)
