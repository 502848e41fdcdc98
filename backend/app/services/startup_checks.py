"""Start-up checks that need the database: settings that are only wrong given the clients this desk has.

Motilal accepts API calls only from the static public IP registered for the app (SEBI's retail algo framework,
from 1 April 2026; refused calls answer MO2035), and the adapter sends that address as ClientPublicIp. So outside
demo mode, with any active Motilal client, MULTIDESK_MOTILAL_CLIENT_PUBLIC_IP must be set to a public address:
the default 127.0.0.1 would send every client's orders into a refusal. A base URL on this machine (the fake
broker) needs no whitelisted address and is not checked.
"""

import ipaddress
from urllib.parse import urlsplit

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import ConfigError, Settings
from app.enums import BrokerName
from app.models import Client


def _public(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.strip()).is_global
    except ValueError:
        return False


def _local(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def check_motilal_public_ip(session: AsyncSession, settings: Settings) -> None:
    """ConfigError if live Motilal clients would be served from an address Motilal cannot have whitelisted."""
    if settings.demo_mode or _public(settings.motilal_client_public_ip) or _local(settings.motilal_base_url):
        return
    active = exists().where(Client.broker == BrokerName.MOTILAL, Client.is_active.is_(True))
    if not await session.scalar(select(active)):
        return
    raise ConfigError(
        f"MULTIDESK_MOTILAL_CLIENT_PUBLIC_IP is {settings.motilal_client_public_ip!r}, not a public address, and "
        "this desk has active Motilal clients. Motilal takes API calls only from the static public IP registered "
        "for the app (refused with MO2035 otherwise): set MULTIDESK_MOTILAL_CLIENT_PUBLIC_IP to this server's "
        "whitelisted static public IP, or deactivate the Motilal clients."
    )
