"""The Motilal Oswal broker: its OpenAPI over httpx (client), sessions (session), vocabulary (mapping), adapter."""

from app.brokers.motilal.adapter import MotilalBroker, capabilities
from app.brokers.motilal.client import PRODUCTION_URL, UAT_URL, MotilalConfig

__all__ = ["PRODUCTION_URL", "UAT_URL", "MotilalBroker", "MotilalConfig", "capabilities"]
