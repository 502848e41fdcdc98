"""Translating our rows into what broker adapters take: a client's account, an instrument reference."""

from app.brokers.base import BrokerAccount, InstrumentRef
from app.models import Client, Instrument
from app.security.vault import CredentialVault
from app.services.clients import decrypted_credentials


def instrument_ref(instrument: Instrument) -> InstrumentRef:
    return InstrumentRef(
        token_id=instrument.token_id,
        symbol=instrument.symbol,
        exchange=instrument.exchange,
        instrument_type=instrument.instrument_type,
        lot_size=instrument.lot_size,
        tick_size=instrument.tick_size,
    )


def broker_account(vault: CredentialVault, client: Client) -> BrokerAccount:
    assert client.id is not None
    return BrokerAccount(
        client_id=client.id,
        broker_client_id=client.broker_client_id,
        credentials=decrypted_credentials(vault, client),
        opening_cash=client.opening_cash,
    )
