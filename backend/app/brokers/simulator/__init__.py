"""The simulated broker: a price model, accounts with margin and P&L, order matching and injected faults."""

from app.brokers.simulator.adapter import SIMULATOR_CAPABILITIES, SimulatorBroker
from app.brokers.simulator.prices import PriceModel
from app.brokers.simulator.settings import SimulatorSettings

__all__ = ["SIMULATOR_CAPABILITIES", "PriceModel", "SimulatorBroker", "SimulatorSettings"]
