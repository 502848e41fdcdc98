"""Client broker credentials encrypted at rest with Fernet; several keys for rotation, the first encrypts."""

import hashlib
import json
from collections.abc import Mapping, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class VaultError(Exception):
    """Ciphertext that none of the configured keys can open (a key was dropped, or the row was tampered with)."""


def key_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:12]


class CredentialVault:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        try:
            self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        except ValueError as exc:
            raise ValueError("MULTIDESK_ENCRYPTION_KEYS must be Fernet keys (urlsafe base64 of 32 bytes)") from exc
        self.current_key_id = key_id(keys[0])

    def encrypt(self, credentials: Mapping[str, str]) -> str:
        return self._fernet.encrypt(json.dumps(dict(credentials), sort_keys=True).encode()).decode()

    def decrypt(self, ciphertext: str) -> dict[str, str]:
        try:
            return json.loads(self._fernet.decrypt(ciphertext.encode()))
        except InvalidToken as exc:
            raise VaultError("credentials cannot be decrypted with the configured keys") from exc

    def rotate(self, ciphertext: str) -> str:
        """Re-encrypt under the newest key."""
        try:
            return self._fernet.rotate(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise VaultError("credentials cannot be decrypted with the configured keys") from exc
