"""The simulated broker: a price model, accounts with margin and P&L, order matching, injected faults, a journal."""

from app.brokers.simulator.adapter import SIMULATOR_CAPABILITIES, SimulatorBroker
from app.brokers.simulator.journal import JournalCorrupt, JournalError, JournalInUse
from app.brokers.simulator.prices import PriceModel
from app.brokers.simulator.settings import SimulatorSettings

__all__ = [
    "SIMULATOR_CAPABILITIES",
    "JournalCorrupt",
    "JournalError",
    "JournalInUse",
    "PriceModel",
    "SimulatorBroker",
    "SimulatorSettings",
]
