"""TOTP codes (RFC 6238) from a secret as authenticator apps accept it, for Motilal's login.

Motilal's API portal shows the TOTP secret as base32 text; people copy it with spaces, in lower case, without the
"=" padding, or as the common 16-character (80-bit) key. pyotp computes the codes but refuses keys shorter than
112 bits (NIST's minimum for new keys); a key Motilal issued and an authenticator app accepts is used as it is, so
the floor here is the 80 bits authenticator apps take.
"""

from datetime import datetime

import pyotp

MIN_SECRET_BITS = 80
_SEPARATORS = str.maketrans("", "", " \t\r\n-=")


class _TOTP(pyotp.TOTP):
    min_secret_length_bits = MIN_SECRET_BITS


def normalised_secret(secret: str) -> str:
    """The secret as upper-case base32 without separators or padding; ValueError if it is not a usable key."""
    cleaned = secret.translate(_SEPARATORS).upper()
    if not cleaned:
        raise ValueError("the TOTP secret is empty")
    try:
        _TOTP(cleaned)
    except ValueError as exc:  # binascii.Error (not base32) is a ValueError too
        raise ValueError(
            f"the TOTP secret is not a base32 key of at least {MIN_SECRET_BITS} bits "
            "(letters A-Z and digits 2-7, as the API portal shows it)"
        ) from exc
    return cleaned


def totp_code(secret: str, at: datetime | float | None = None, *, digits: int = 6) -> str:
    """The TOTP (30-second steps, HMAC-SHA1) for `secret` at `at` (a datetime or Unix time; now if None)."""
    totp = _TOTP(normalised_secret(secret), digits=digits)
    return totp.now() if at is None else totp.at(at)
