"""TOTP codes (RFC 6238) from a secret as authenticator apps accept it, for Motilal's login.

Motilal's API portal shows the TOTP secret as base32 text; people copy it with spaces or dashes, in lower case,
without the "=" padding, or as the common 16-character (80-bit) key. Authenticator apps read any of these: they
decode base32 five bits a character and drop the bits left over at the end. The same is done here (a trailing
1, 3 or 6 characters' remainder is trimmed to the characters that still make whole bytes, which leaves the
decoded bytes unchanged), and the key is handed to pyotp re-encoded as canonical base32. pyotp's own minimum of 112
bits (NIST's floor for new keys) is lowered to the 80 bits authenticator apps take: the key is Motilal's, not
ours to choose.
"""

import base64
import re
from datetime import datetime

import pyotp

MIN_SECRET_BITS = 80
_IGNORED = str.maketrans("", "", " \t\r\n-=")
_BASE32 = re.compile(r"^[A-Z2-7]*$")
# Characters in a last, partial 8-character group -> how many of them still make whole bytes.
_WHOLE_BYTES = {0: 0, 1: 0, 2: 2, 3: 2, 4: 4, 5: 5, 6: 5, 7: 7}


class _TOTP(pyotp.TOTP):
    min_secret_length_bits = MIN_SECRET_BITS


def secret_key(secret: str) -> bytes:
    """The key bytes of a base32 secret as an authenticator app reads it; ValueError if it is not a usable key."""
    cleaned = secret.translate(_IGNORED).upper()
    whole = len(cleaned) - len(cleaned) % 8 + _WHOLE_BYTES[len(cleaned) % 8]
    trimmed = cleaned[:whole]
    key = base64.b32decode(trimmed + "=" * (-len(trimmed) % 8)) if _BASE32.match(cleaned) else b""
    if len(key) * 8 < MIN_SECRET_BITS:
        raise ValueError(
            f"the TOTP secret is not a base32 key of at least {MIN_SECRET_BITS} bits "
            "(letters A-Z and digits 2-7, as Motilal's API portal shows it)"
        )
    return key


def normalised_secret(secret: str) -> str:
    """The secret as canonical base32 (upper case, padded); ValueError if it is not a usable key."""
    return base64.b32encode(secret_key(secret)).decode()


def totp_code(secret: str, at: datetime | float | None = None, *, digits: int = 6) -> str:
    """The TOTP (30-second steps, HMAC-SHA1) for `secret` at `at` (a datetime or Unix time; now if None)."""
    totp = _TOTP(normalised_secret(secret), digits=digits)
    return totp.now() if at is None else totp.at(at)
