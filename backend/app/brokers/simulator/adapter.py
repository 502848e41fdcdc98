"""SimulatorBroker: a BrokerAdapter for a simulated broker with accounts, matching, margin and injected faults.

Prices come from a PriceModel (pass one in to share it with a market-data feed); every tick or scripted price
runs a matching pass over the open orders in the instruments that moved, and order changes from that pass are
pushed to the order listener. Accounts are keyed by client id and created on first use with the BrokerAccount's
opening_cash. Rejections that are verdicts on a request (bad terms, margin, holdings, market closed, duplicate
tag) are raised as BrokerRejected and leave nothing in the order book; any request that raises, for whatever
reason, leaves the books as they were.

With settings.journal_path every change to the books is journalled before the adapter answers, and a new
simulator on the same journal replays it (journal.py): the accounts, orders, tags, trades and positions are
back as they were, without calling the order listener and without the price model (fills carry their prices).
Each instrument in the replayed books starts its price path at its last fill price, the last price known to
have traded, rather than at its configured initial price, so positions do not jump in value across a restart;
an instrument the price model already quotes (a shared model) keeps its path. Replay moves no price, so it
triggers no matching.

The trading day (hours from the exchange calendar, AMOs, the broker's own intraday square-off, DAY expiry and
T+1 at rollover) is trading_day.py's; `advance_day` runs what is due and the ticker calls it every tick interval.
"""

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

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
from app.brokers.charges import estimate as charges_of
from app.brokers.simulator.book import Account, SimOrder
from app.brokers.simulator.delivery import OrderDeliveries
from app.brokers.simulator.faults import Fault, FaultInjector
from app.brokers.simulator.holdings import CalendarDays
from app.brokers.simulator.ids import IdSource
from app.brokers.simulator.journal import Journal
from app.brokers.simulator.margin import margin_by_segment, sellable
from app.brokers.simulator.matching import match, reference_price
from app.brokers.simulator.prices import PriceModel
from app.brokers.simulator.settings import SimulatorSettings
from app.brokers.simulator.trading_day import (
    EXPIRED,
    SQUARED_OFF,
    Now,
    SimTradingDay,
    expiring,
    open_intraday,
    releasable,
    square_off_tag,
    square_offs,
)
from app.brokers.simulator.validation import check_terms
from app.brokers.simulator.views import funds_view, holding_view, money, position_view
from app.enums import BrokerName, CashKind, OrderStatus, OrderType, Segment, Side, TradeType
from app.market.calendar.port import ExchangeCalendar
from app.tasks import stop

logger = logging.getLogger(__name__)

HOLDINGS_TRADE_TYPES = frozenset({TradeType.DELIVERY, TradeType.MTF})

SIMULATOR_CAPABILITIES = BrokerCapabilities(
    order_types=frozenset(OrderType),
    trade_types=frozenset(TradeType),
    supports_modify=True,
    partial_fills=True,
    streaming=True,
    pushes_order_updates=True,
    orders_per_second=None,
    cash_transfers=True,
)

T = TypeVar("T")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SimulatorBroker:
    name: str = BrokerName.SIMULATOR.value

    @property
    def capabilities(self) -> BrokerCapabilities:
        # The leverage its margin model uses (settings.leverage), so sizing and preview agree with its verdicts.
        return replace(SIMULATOR_CAPABILITIES, leverage=dict(self.settings.leverage))

    def __init__(
        self,
        settings: SimulatorSettings | None = None,
        *,
        initial_prices: Mapping[int, Decimal] | None = None,
        prices: PriceModel | None = None,
        clock: Callable[[], datetime] = _utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        calendar: ExchangeCalendar | None = None,
    ) -> None:
        """`prices` shares an existing PriceModel (give it the initial prices then); `sleep` carries the latency;
        `calendar` is the exchange's (default: NSE/BSE from the library and data/exchange-holidays.csv)."""
        if prices is not None and initial_prices is not None:
            raise ValueError("initial_prices belong to the PriceModel passed as prices")
        self.settings = settings or SimulatorSettings()
        seed = self.settings.seed
        self.prices = prices or PriceModel(
            seed=seed,
            tick_interval_s=self.settings.tick_interval_s,
            drift=self.settings.drift,
            volatility=self.settings.volatility,
            max_move_pct=self.settings.max_move_pct,
            initial_prices=initial_prices,
            clock=clock,
        )
        self.prices.add_tick_listener(self._on_tick)
        self._faults = FaultInjector(self.settings, random.Random(None if seed is None else f"faults:{seed}"), sleep)
        self._clock = clock
        if calendar is None:
            from app.market.calendar.indian import IndianExchangeCalendar  # pandas: loaded only when needed

            calendar = IndianExchangeCalendar()
        self._day = SimTradingDay(calendar, always_open=self.settings.always_open)
        self._days = CalendarDays(calendar)
        self._journal, recovered = Journal.open(
            self.settings.journal_path, fsync=self.settings.journal_fsync, days=self._days
        )
        self._accounts: dict[int, Account] = recovered.accounts
        for instrument in recovered.instruments.values():
            self.prices.register(instrument, start=recovered.last_fill.get(instrument.token_id))
        self._ids = IdSource(f"{int(clock().timestamp() * 1000):x}", accounts=self._accounts.values())
        self._deliveries = OrderDeliveries()
        self._ticker: asyncio.Task[None] | None = None

    @property
    def journal_failed(self) -> bool:
        return self._journal.failed

    def register(self, instrument: InstrumentRef) -> None:
        self.prices.register(instrument)

    def tick(self) -> list[Quote]:
        """Advance every registered instrument one step, then match (needs a running loop if a listener is set)."""
        return self.prices.tick()

    def set_price(self, token_id: int, price: Decimal) -> Quote:
        return self.prices.set_price(token_id, price)

    def last_price(self, token_id: int) -> Decimal:
        return self.prices.last_price(token_id)

    async def start(self) -> None:
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.create_task(self._run_ticks(), name="simulator-ticks")

    async def close(self) -> None:
        await stop(self._ticker)
        self._ticker = None
        # Let order updates already produced reach the listener rather than dropping them on shutdown.
        await self._deliveries.drain()
        self._journal.close()

    async def _run_ticks(self) -> None:
        while True:
            await asyncio.sleep(self.settings.tick_interval_s)
            try:
                self.advance_day()
            except BrokerError:
                logger.exception("the simulator's trading-day events failed; retried at the next tick")
            if self._market_open():
                self.tick()

    def advance_day(self) -> None:
        """Run the trading day's events due now: expire earlier days' DAY orders and settle T+1, release AMOs at
        the open, square off INTRADAY at the square-off time. Each event happens once: what it acts on is gone after.
        """
        if self.settings.always_open or self._journal.failed:
            return
        now = self._day.now(self._clock())
        for acct in self._accounts.values():
            acct.roll(now.at)
            changed: list[BrokerOrder] = []
            try:
                for order in expiring(acct, now.today):
                    changed.append(self._close_order(acct, order, EXPIRED, now.at))
                if now.open:
                    changed += [o.snapshot() for o in releasable(acct, now.today) if self._match(acct, o, now)]
                if now.square_off_due:
                    changed += [self._close_order(acct, o, SQUARED_OFF, now.at) for o in open_intraday(acct)]
                    self._square_off(acct, now)
            finally:
                if changed:
                    self._deliveries.publish(acct.client_id, changed)

    def _close_order(self, acct: Account, order: SimOrder, reason: str, at: datetime) -> BrokerOrder:
        self._journal.closed(acct.client_id, order, OrderStatus.CANCELLED, at, reason)
        acct.close(order, OrderStatus.CANCELLED, at, reason)
        return order.snapshot()

    def _square_off(self, acct: Account, now: Now) -> None:
        """The broker's own orders closing INTRADAY positions at market (not ours: not pushed to the listener)."""
        for wanted in square_offs(acct):
            order = SimOrder(
                broker_order_id=self._ids.order_id(),
                tag=square_off_tag(now.today, wanted.instrument.token_id, len(acct.orders)),
                instrument=wanted.instrument,
                side=wanted.side,
                order_type=OrderType.MARKET,
                trade_type=TradeType.INTRADAY,
                quantity=wanted.quantity,
                price=None,
                trigger_price=None,
                updated_at=now.at,
                session=now.today,
            )
            acct.add(order)
            try:
                self._journal.accepted(acct.client_id, order)
            except BaseException:
                acct.withdraw(order)
                raise
            self._match(acct, order, now)

    def set_order_listener(self, listener: OrderListener | None) -> None:
        self._deliveries.listener = listener

    async def ensure_session(self, account: BrokerAccount) -> None:
        self._account(account)

    async def place_order(self, account: BrokerAccount, req: BrokerOrderRequest) -> BrokerOrderAck:
        return await self._request(lambda: self._place(self._account(account), req))

    async def modify_order(
        self,
        account: BrokerAccount,
        broker_order_id: str,
        *,
        quantity: int | None = None,
        price: Decimal | None = None,
        trigger_price: Decimal | None = None,
    ) -> BrokerOrderAck:
        return await self._request(
            lambda: self._modify(self._account(account), broker_order_id, quantity, price, trigger_price)
        )

    async def cancel_order(self, account: BrokerAccount, broker_order_id: str) -> BrokerOrderAck:
        return await self._request(lambda: self._cancel(self._account(account), broker_order_id))

    async def transfer_cash(self, account: BrokerAccount, amount: Decimal, ref: str, note: str) -> CashEntry:
        """Pay in (amount > 0) or pay out (amount < 0); a payout above the cash margin does not hold is refused."""
        return await self._request(lambda: self._transfer(self._account(account), amount, ref, note))

    async def cash_ledger(self, account: BrokerAccount) -> list[CashEntry]:
        acct = self._account(account)
        opened = acct.opened_at or (acct.ledger[0].ts if acct.ledger else self._clock())
        opening = CashEntry("0", opened, CashKind.OPENING.value, acct.opening_cash, "Opening cash")
        return [opening, *acct.ledger]

    async def _request(self, act: Callable[[], T]) -> T:
        await self._faults.delay()
        # From here to the answer nothing awaits, so on the one event loop each request's checks and booking are
        # atomic: concurrent orders on an account cannot both spend the same margin, and no lock is needed.
        fault = self._faults.draw()
        if fault is Fault.REJECT:
            raise BrokerRejected("SIMULATED_REJECT", code="SIMULATED_REJECT")
        if fault is Fault.TIMEOUT:
            if self.settings.timeout_after_accept:
                # The broker acted on the request; only its answer (whatever it was) is lost on the way back.
                with contextlib.suppress(BrokerError):
                    act()
            raise BrokerUnavailable("simulated timeout")
        return act()

    def _place(self, acct: Account, req: BrokerOrderRequest) -> BrokerOrder:
        instrument = req.instrument
        check_terms(instrument, req.side, req.order_type, req.quantity, req.price, req.trigger_price)
        existing = acct.order_ids_by_tag.get(req.tag)
        if existing is not None:
            raise BrokerRejected(
                f"DUPLICATE_TAG: order {existing} already carries tag {req.tag!r}", code="DUPLICATE_TAG"
            )
        at = self._clock()
        session, amo = self._day.book_new(instrument.exchange, at, amo=req.amo)
        self.prices.register(instrument)
        if req.side is Side.SELL and req.trade_type in HOLDINGS_TRADE_TYPES:
            self._check_holdings(acct, instrument.token_id, req.trade_type, req.quantity)
        order = SimOrder(
            broker_order_id=self._ids.order_id(),
            tag=req.tag,
            instrument=instrument,
            side=req.side,
            order_type=req.order_type,
            trade_type=req.trade_type,
            quantity=req.quantity,
            price=req.price,
            trigger_price=req.trigger_price,
            updated_at=at,
            amo=amo,
            session=session,
        )
        before = self._margin_used(acct)
        acct.add(order)
        try:
            self._check_margin(acct, before)
            self._journal.accepted(acct.client_id, order)
        except BaseException:
            # Refused, not journalled, or anything unforeseen: a request that raised leaves nothing in the books.
            acct.withdraw(order)
            raise
        self._match(acct, order)
        return order.snapshot()

    def _transfer(self, acct: Account, amount: Decimal, ref: str, note: str) -> CashEntry:
        done = acct.transfers_by_ref.get(ref)
        if done is not None:
            return done  # the same transfer asked again (its answer was lost): it happened once
        if amount == 0:
            raise BrokerRejected("INVALID_AMOUNT: a transfer moves some money", code="INVALID_AMOUNT")
        if amount < 0:
            # Nothing awaits between this check and the booking (see _request), so two payouts cannot both pass it.
            available = acct.cash - self._margin_used(acct)
            if -amount > available:
                raise BrokerRejected(
                    f"INSUFFICIENT_CASH: withdrawing {money(-amount)}, available {money(max(available, Decimal(0)))}",
                    code="INSUFFICIENT_CASH",
                )
        kind = CashKind.DEPOSIT if amount > 0 else CashKind.WITHDRAWAL
        description = note or kind.value.capitalize()
        at = self._clock()
        self._journal.transferred(acct.client_id, amount, ref, description, at)
        return acct.record(at, kind, amount, description, ref)

    def _modify(
        self,
        acct: Account,
        broker_order_id: str,
        quantity: int | None,
        price: Decimal | None,
        trigger_price: Decimal | None,
    ) -> BrokerOrder:
        """Change an open order's terms; quantity is the new total, including what has already filled."""
        order = self._open_order(acct, broker_order_id)
        if quantity is None and price is None and trigger_price is None:
            raise BrokerRejected("INVALID_MODIFY: nothing to change", code="INVALID_MODIFY")
        new_quantity = order.quantity if quantity is None else quantity
        new_price = order.price if price is None else price
        new_trigger = order.trigger_price if trigger_price is None else trigger_price
        check_terms(order.instrument, order.side, order.order_type, new_quantity, new_price, new_trigger)
        if new_quantity <= order.filled_quantity:
            raise BrokerRejected(
                f"INVALID_QUANTITY: {new_quantity} must exceed the {order.filled_quantity} already filled",
                code="INVALID_QUANTITY",
            )
        if order.side is Side.SELL and order.trade_type in HOLDINGS_TRADE_TYPES:
            self._check_holdings(
                acct, order.instrument.token_id, order.trade_type, new_quantity - order.filled_quantity, exclude=order
            )
        before = self._margin_used(acct)
        previous = (order.quantity, order.price, order.trigger_price, order.triggered, order.updated_at)
        order.quantity, order.price, order.trigger_price = new_quantity, new_price, new_trigger
        if trigger_price is not None:
            # A moved stop is judged against its new trigger.
            order.triggered = False
        order.updated_at = self._clock()
        try:
            self._check_margin(acct, before)
            self._journal.modified(acct.client_id, order)
        except BaseException:
            # As in _place: whatever raised, the order keeps the terms it had.
            order.quantity, order.price, order.trigger_price, order.triggered, order.updated_at = previous
            raise
        self._match(acct, order)
        return order.snapshot()

    def _cancel(self, acct: Account, broker_order_id: str) -> BrokerOrder:
        order = self._open_order(acct, broker_order_id)
        at = self._clock()
        self._journal.closed(acct.client_id, order, OrderStatus.CANCELLED, at)
        acct.close(order, OrderStatus.CANCELLED, at)
        return order.snapshot()

    async def order_status(self, account: BrokerAccount, broker_order_id: str) -> BrokerOrder:
        return self._order(self._account(account), broker_order_id).snapshot()

    async def order_book(self, account: BrokerAccount) -> list[BrokerOrder]:
        return [order.snapshot() for order in self._account(account).orders.values()]

    async def trade_book(self, account: BrokerAccount) -> list[BrokerTrade]:
        return list(self._account(account).trades)

    async def positions(self, account: BrokerAccount) -> list[BrokerPosition]:
        """Every position traded in, all trade types, flat ones included for their realised P&L."""
        return [position_view(p, self.prices.last_price(p.token_id)) for p in self._account(account).positions.values()]

    async def holdings(self, account: BrokerAccount) -> list[BrokerHolding]:
        return [holding_view(h, self._known_price(h.token_id)) for h in self._account(account).holdings.values()]

    async def funds(self, account: BrokerAccount) -> BrokerFunds:
        acct = self._account(account)
        return funds_view(acct.cash, self._margin_by_segment(acct))

    async def quote(self, instruments: Sequence[InstrumentRef]) -> dict[int, Quote]:
        for instrument in instruments:
            self.prices.register(instrument)
        return {i.token_id: self.prices.quote(i.token_id) for i in instruments}

    async def instruments(self, exchange: str) -> InstrumentMaster:
        # The simulator trades whatever data/tokens.csv lists; it has no master of its own to offer.
        raise BrokerRejected(
            "The simulator has no instrument master: its instruments are data/tokens.csv.", code="NO_INSTRUMENT_MASTER"
        )

    def _account(self, account: BrokerAccount) -> Account:
        acct = self._accounts.get(account.client_id)
        if acct is None:
            acct = Account(account.client_id, account.opening_cash, opened_at=self._clock(), days=self._days)
            self._journal.account_opened(acct)
            self._accounts[account.client_id] = acct
        # Whatever is asked of an account happens on today's books: yesterday's DELIVERY trades have settled.
        acct.roll(self._clock())
        return acct

    def _order(self, acct: Account, broker_order_id: str) -> SimOrder:
        try:
            return acct.orders[broker_order_id]
        except KeyError:
            raise BrokerOrderNotFound(f"no order {broker_order_id} in account {acct.client_id}") from None

    def _open_order(self, acct: Account, broker_order_id: str) -> SimOrder:
        order = self._order(acct, broker_order_id)
        if not order.is_open:
            raise BrokerRejected(
                f"ORDER_NOT_OPEN: order {broker_order_id} is {order.status.value}", code="ORDER_NOT_OPEN"
            )
        return order

    def _market_open(self) -> bool:
        return self._day.is_open("NSE", self._clock())

    def _margin_used(self, acct: Account) -> Decimal:
        return sum(self._margin_by_segment(acct).values(), Decimal(0))

    def _margin_by_segment(self, acct: Account) -> dict[Segment, Decimal]:
        slippage = self.settings.slippage_bps
        return margin_by_segment(
            acct,
            self.settings.leverage,
            lambda order: reference_price(order, self.prices.last_price(order.instrument.token_id), slippage),
        )

    def _known_price(self, token_id: int) -> Decimal | None:
        try:
            return self.prices.last_price(token_id)
        except KeyError:
            return None

    def _check_margin(self, acct: Account, before: Decimal) -> None:
        """Reject a change that needs more margin than was available before it (orders that only close pass)."""
        required = self._margin_used(acct) - before
        available = acct.cash - before
        if required > 0 and required > available:
            raise BrokerRejected(
                f"INSUFFICIENT_MARGIN: required {money(required)}, available {money(available)}",
                code="INSUFFICIENT_MARGIN",
            )

    def _check_holdings(
        self, acct: Account, token_id: int, trade_type: TradeType, quantity: int, exclude: SimOrder | None = None
    ) -> None:
        available = sellable(acct, token_id, trade_type, exclude)
        if quantity > available:
            raise BrokerRejected(
                f"INSUFFICIENT_HOLDINGS: selling {quantity} {trade_type.value}, {max(available, 0)} sellable "
                "(short selling is INTRADAY only)",
                code="INSUFFICIENT_HOLDINGS",
            )

    def _match(self, acct: Account, order: SimOrder, now: Now | None = None) -> bool:
        """One matching pass for one order; True if it traded (never while its market is shut or it is an AMO
        waiting for a later session)."""
        if not self._day.may_trade(order, now or self._day.now(self._clock())):
            return False
        token_id = order.instrument.token_id
        was_armed = order.triggered
        result = match(
            order,
            self.prices.last_price(token_id),
            slippage_bps=self.settings.slippage_bps,
            liquidity=self.settings.liquidity_per_tick,
        )
        if order.triggered and not was_armed:
            try:
                self._journal.armed(acct.client_id, order)
            except BrokerError:
                order.triggered = False  # the books in memory never run ahead of the journal
                raise
        if result is None:
            return False
        quantity, price = result
        trade_id, at = self._ids.trade_id(), self._clock()
        charges = self._fill_charges(order, quantity, price)
        self._journal.filled(acct.client_id, order, quantity, price, trade_id, at, charges)
        acct.fill(order, quantity, price, trade_id, at, charges)
        self.prices.add_volume(token_id, quantity)
        return True

    def _fill_charges(self, order: SimOrder, quantity: int, price: Decimal) -> Decimal:
        """What a fill adds to its order's charges: those of the order's filled value with the fill, less those
        without it, so partial fills add up to the order's charges and the brokerage cap holds per order."""
        if not self.settings.charges:
            return Decimal(0)
        exchange = order.instrument.exchange

        def of(value: Decimal) -> Decimal:
            return charges_of(value, order.side, order.trade_type, exchange).total

        return of(order.fill_value + price * quantity) - of(order.fill_value)

    def _on_tick(self, quotes: list[Quote]) -> None:
        if self._journal.failed:
            return  # fills could not be recorded; matching stops until a restart rather than erroring every tick
        moved = {quote.token_id for quote in quotes}
        now = self._day.now(self._clock())
        for acct in self._accounts.values():
            changed: list[BrokerOrder] = []
            try:
                for order in list(acct.open_orders.values()):
                    if order.instrument.token_id in moved and self._match(acct, order, now):
                        changed.append(order.snapshot())
            finally:
                # Fills already journalled and booked are announced even if a later journal write failed.
                if changed:
                    self._deliveries.publish(acct.client_id, changed)
