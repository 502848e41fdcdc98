"""Password hashing with argon2 (pwdlib's recommended hasher)."""

from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()
# Verified against when the email is unknown, so a failed login costs the same either way.
_DUMMY_HASH = _hasher.hash("multidesk-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    return _hasher.verify(password, password_hash)
