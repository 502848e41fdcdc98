"""Translating a client row into the account broker adapters take (its credentials decrypted)."""

from app.brokers.base import BrokerAccount
from app.models import Client
from app.security.vault import CredentialVault
from app.services.clients import decrypted_credentials


def broker_account(vault: CredentialVault, client: Client) -> BrokerAccount:
    assert client.id is not None
    return BrokerAccount(
        client_id=client.id,
        broker_client_id=client.broker_client_id,
        credentials=decrypted_credentials(vault, client),
        opening_cash=client.opening_cash,
    )
