"""The simulator's append-only journal: one JSON line per change to its books, replayed when it starts again.

A real broker's books outlive our process; with a journal the simulator's do too, so after a restart the orders
our database says FILLED are still in its order book and reconciliation by tag still finds them.

Events (key "ev"; decimals are strings, datetimes ISO-8601 UTC):
  account  client, cash, opened?                   an account opened with its opening cash (opened: when)
  cash     client, amount, ref, note, ts           a deposit (amount > 0) or withdrawal (< 0) of cash
  accept   client, id, tag, inst{...}, side, type, trade_type, qty, price, trigger, ts, status, filled, value,
           armed, amo?, session?                   an order entered the book (every SimOrder field)
  modify   client, id, qty, price, trigger, armed, ts   an open order's new terms
  arm      client, id                              a stop order's trigger was reached (it now works as LIMIT/MARKET)
  fill     client, id, qty, price, trade, ts, charges?   a trade; the order's status and the position follow
                                                   from it; charges: what the fill cost (absent = 0)
  close    client, id, status, ts, reason?         an order left the book without filling (cancelled, expired)
Rejected requests change nothing and write nothing. Fields marked ? were added later: a journal without them
replays as before (no AMO; the order is good for the trading day of its ts; a fill without charges cost nothing).

Durability: each event is written and flushed (one write() per line) before the adapter answers, so a killed
process has never acknowledged anything the journal lacks, and at most the line being written is torn; replay
drops a torn last line with a warning and the next append starts on a clean line. That is safe against a
process kill, not an OS crash or power loss, which can lose what the OS had not yet written to disk;
journal_fsync closes that gap at the cost of a disk sync per event (milliseconds each, so off by default).

If a write fails the journal stops taking events (fail-stop): the change is refused with BrokerUnavailable (no
verdict: the line may yet have reached the file) and so is every later one, until a restart replays what did.
Going on would let the books in memory run ahead of the journal, and a half-written line followed by good ones
would make the file unreadable.
"""

import contextlib
import fcntl
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO

from app.brokers.base import BrokerUnavailable, InstrumentRef
from app.brokers.simulator.book import Account, SimOrder
from app.brokers.simulator.holdings import WEEKDAYS, TradingDays
from app.enums import CashKind, OrderStatus, OrderType, Side, TradeType

logger = logging.getLogger(__name__)

Event = dict[str, Any]


class JournalError(Exception):
    """The journal cannot be used to restore the simulator's books."""


class JournalCorrupt(JournalError):
    """A line that is not a valid event (other than a torn last line)."""

    def __init__(self, path: Path, lineno: int, reason: str) -> None:
        super().__init__(f"{path} line {lineno}: {reason}")
        self.lineno = lineno


class JournalInUse(JournalError):
    """Another simulator (this process or another) is already appending to the journal."""


@dataclass
class Recovered:
    """The books rebuilt from a journal, and what the adapter needs to carry on from them."""

    accounts: dict[int, Account] = field(default_factory=dict)
    # Every instrument in the books, so the price model can quote them (positions, margin on open orders).
    instruments: dict[int, InstrumentRef] = field(default_factory=dict)
    last_fill: dict[int, Decimal] = field(default_factory=dict)


class Journal:
    """Appends events to an open journal file; made with no file, it keeps nothing (the memory-only simulator)."""

    def __init__(self, file: BinaryIO | None = None, *, fsync: bool = False) -> None:
        self._file = file
        self._fsync = fsync
        self.failed = False

    @classmethod
    def open(
        cls, path: Path | None, *, fsync: bool = False, days: TradingDays = WEEKDAYS
    ) -> tuple["Journal", Recovered]:
        """Lock and replay the journal at path (created if missing), ready to append; None = memory only."""
        if path is None:
            return cls(), Recovered()
        path.parent.mkdir(parents=True, exist_ok=True)
        file = path.open("ab")
        try:
            try:
                # Two writers would interleave two diverging histories (e.g. two app workers): refuse the second.
                fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise JournalInUse(f"{path} is already open in another simulator") from None
            recovered, good_end, newline_missing = _replay(path, days)
            if good_end < os.fstat(file.fileno()).st_size:
                file.truncate(good_end)  # the torn tail, so the next event starts on a line of its own
            elif newline_missing:
                file.write(b"\n")
                file.flush()
        except BaseException:
            file.close()
            raise
        return cls(file, fsync=fsync), recovered

    def close(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):  # a failed journal may fail again flushing; nothing more to save
                self._file.close()
            self.failed = True  # a closed journal takes no more events, rather than silently dropping them

    def account_opened(self, acct: Account) -> None:
        event: Event = {"ev": "account", "client": acct.client_id, "cash": str(acct.opening_cash)}
        if acct.opened_at is not None:
            event["opened"] = _iso(acct.opened_at)
        self._append(event)

    def transferred(self, client_id: int, amount: Decimal, ref: str, note: str, at: datetime) -> None:
        self._append(
            {"ev": "cash", "client": client_id, "amount": str(amount), "ref": ref, "note": note, "ts": _iso(at)}
        )

    def accepted(self, client_id: int, order: SimOrder) -> None:
        i = order.instrument
        instrument = {
            "token": i.token_id,
            "symbol": i.symbol,
            "exchange": i.exchange,
            "type": i.instrument_type,
            "lot": i.lot_size,
            "tick": str(i.tick_size),
        }
        self._append(
            {
                "ev": "accept",
                "client": client_id,
                "id": order.broker_order_id,
                "tag": order.tag,
                "inst": instrument,
                "side": order.side.value,
                "type": order.order_type.value,
                "trade_type": order.trade_type.value,
                "qty": order.quantity,
                "price": _dec(order.price),
                "trigger": _dec(order.trigger_price),
                "ts": _iso(order.updated_at),
                "status": order.status.value,
                "filled": order.filled_quantity,
                "value": str(order.fill_value),
                "armed": order.triggered,
                "amo": order.amo,
                "session": None if order.session is None else order.session.isoformat(),
            }
        )

    def modified(self, client_id: int, order: SimOrder) -> None:
        self._append(
            {
                "ev": "modify",
                "client": client_id,
                "id": order.broker_order_id,
                "qty": order.quantity,
                "price": _dec(order.price),
                "trigger": _dec(order.trigger_price),
                "armed": order.triggered,
                "ts": _iso(order.updated_at),
            }
        )

    def armed(self, client_id: int, order: SimOrder) -> None:
        self._append({"ev": "arm", "client": client_id, "id": order.broker_order_id})

    def filled(
        self,
        client_id: int,
        order: SimOrder,
        quantity: int,
        price: Decimal,
        trade_id: str,
        at: datetime,
        charges: Decimal = Decimal(0),
    ) -> None:
        self._append(
            {
                "ev": "fill",
                "client": client_id,
                "id": order.broker_order_id,
                "qty": quantity,
                "price": str(price),
                "trade": trade_id,
                "ts": _iso(at),
                "charges": str(charges),
            }
        )

    def closed(
        self, client_id: int, order: SimOrder, status: OrderStatus, at: datetime, reason: str | None = None
    ) -> None:
        event = {"ev": "close", "client": client_id, "id": order.broker_order_id, "status": status.value}
        event["ts"] = _iso(at)
        if reason is not None:
            event["reason"] = reason
        self._append(event)

    def _append(self, event: Event) -> None:
        if self._file is None:
            return
        if self.failed:
            raise BrokerUnavailable("simulator journal is not writable (an earlier write failed, or it is closed)")
        line = json.dumps(event, separators=(",", ":")).encode() + b"\n"
        try:
            self._file.write(line)
            self._file.flush()
            if self._fsync:
                os.fsync(self._file.fileno())
        except OSError as exc:
            self.failed = True
            raise BrokerUnavailable(f"simulator journal write failed: {exc}") from exc


def _replay(path: Path, days: TradingDays) -> tuple[Recovered, int, bool]:
    """The books in the journal, the byte offset where its last whole event ends, and whether that lacks its \\n."""
    books = _Books(days)
    good_end = 0
    with path.open("rb") as lines:
        for lineno, raw in enumerate(lines, 1):
            complete = raw.endswith(b"\n")
            try:
                event = json.loads(raw)
            except ValueError as exc:
                if complete:
                    raise JournalCorrupt(path, lineno, f"not JSON ({exc})") from None
                # Only the last line can lack its newline: the process died writing it, so it was never acknowledged.
                logger.warning("%s line %d: ignoring a torn last line %.80r", path, lineno, raw)
                return books.recovered, good_end, False
            try:
                books.apply(event)
            except (KeyError, ValueError, TypeError, AttributeError, InvalidOperation) as exc:
                reason = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc) or type(exc).__name__
                raise JournalCorrupt(path, lineno, reason) from exc
            good_end += len(raw)
            # A last line cut just before its newline is still a whole event (a JSON object parses only if closed).
            if not complete:
                return books.recovered, good_end, True
    return books.recovered, good_end, False


class _Books:
    """Applies events to accounts through the same Account methods the live simulator uses, so totals match exactly."""

    def __init__(self, days: TradingDays) -> None:
        self.recovered = Recovered()
        self.days = days

    def apply(self, event: Any) -> None:
        if not isinstance(event, dict):
            raise ValueError("not an event object")
        kind, client_id = event["ev"], _int(event["client"])
        accounts = self.recovered.accounts
        if kind == "account":
            if client_id in accounts:
                raise ValueError(f"account {client_id} opened twice")
            opened = event.get("opened")
            accounts[client_id] = Account(
                client_id, Decimal(event["cash"]), opened_at=opened and _ts(opened), days=self.days
            )
            return
        acct = accounts.get(client_id)
        if acct is None:
            raise ValueError(f"{kind} for account {client_id}, which was never opened")
        if "ts" in event:
            acct.roll(_ts(event["ts"]))  # a later day's first event: yesterday's DELIVERY trades settle first
        if kind == "accept":
            self._accept(acct, event)
            return
        if kind == "cash":
            amount = Decimal(event["amount"])
            kind_of = CashKind.DEPOSIT if amount > 0 else CashKind.WITHDRAWAL
            acct.record(_ts(event["ts"]), kind_of, amount, str(event["note"]), str(event["ref"]))
            return
        order = acct.orders.get(event["id"])
        if order is None:
            raise ValueError(f"{kind} for order {event['id']!r}, which account {client_id} never accepted")
        if not order.is_open:
            raise ValueError(f"{kind} for order {order.broker_order_id}, which is already {order.status.value}")
        if kind == "modify":
            order.quantity, order.price, order.trigger_price = (
                _int(event["qty"]),
                _opt(event["price"]),
                _opt(event["trigger"]),
            )
            order.triggered, order.updated_at = bool(event["armed"]), _ts(event["ts"])
        elif kind == "arm":
            order.triggered = True
        elif kind == "fill":
            quantity, price = _int(event["qty"]), Decimal(event["price"])
            if not 0 < quantity <= order.remaining:
                raise ValueError(f"fill of {quantity} on order {order.broker_order_id} with {order.remaining} open")
            charges = Decimal(event.get("charges", "0"))
            acct.fill(order, quantity, price, event["trade"], _ts(event["ts"]), charges)
            self.recovered.last_fill[order.instrument.token_id] = price
        elif kind == "close":
            acct.close(order, OrderStatus(event["status"]), _ts(event["ts"]), event.get("reason"))
        else:
            raise ValueError(f"unknown event {kind!r}")

    def _accept(self, acct: Account, event: Event) -> None:
        i = event["inst"]
        instrument = InstrumentRef(
            token_id=_int(i["token"]),
            symbol=i["symbol"],
            exchange=i["exchange"],
            instrument_type=i["type"],
            lot_size=_int(i["lot"]),
            tick_size=Decimal(i["tick"]),
        )
        order = SimOrder(
            broker_order_id=event["id"],
            tag=event["tag"],
            instrument=instrument,
            side=Side(event["side"]),
            order_type=OrderType(event["type"]),
            trade_type=TradeType(event["trade_type"]),
            quantity=_int(event["qty"]),
            price=_opt(event["price"]),
            trigger_price=_opt(event["trigger"]),
            updated_at=_ts(event["ts"]),
            status=OrderStatus(event["status"]),
            filled_quantity=_int(event["filled"]),
            fill_value=Decimal(event["value"]),
            triggered=bool(event["armed"]),
            amo=bool(event.get("amo", False)),
        )
        session = event.get("session")
        order.session = date.fromisoformat(session) if session else self.days.session_date(order.updated_at)
        if not order.is_open:
            raise ValueError(f"order {order.broker_order_id} accepted as {order.status.value}")
        if order.broker_order_id in acct.orders or order.tag in acct.order_ids_by_tag:
            raise ValueError(f"order {order.broker_order_id} (tag {order.tag!r}) accepted twice")
        acct.add(order)
        self.recovered.instruments[instrument.token_id] = instrument


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _opt(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _int(value: Any) -> int:
    # bool is an int to Python, but never a quantity or an id.
    if type(value) is not int:
        raise ValueError(f"{value!r} is not an integer")
    return value


def _ts(value: str) -> datetime:
    at = datetime.fromisoformat(value)
    if at.tzinfo is None:
        raise ValueError(f"timestamp {value!r} has no time zone")
    return at
