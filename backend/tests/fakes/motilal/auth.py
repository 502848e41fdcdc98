"""The fake Motilal's login: direct API login with the password hash, the 2FA and a TOTP."""

import hashlib
import secrets
from typing import Any

import pyotp

from tests.fakes.motilal.model import error


class Auth:
    """Login, mixed into FakeMotilal (which holds users, sessions and the login counters)."""

    def _login(self, headers: Any, body: dict[str, Any]) -> dict[str, Any]:
        userid = str(body.get("userid", ""))
        self.login_attempts[userid] += 1
        user = self.users.get(userid)
        if user is None or headers["vendorinfo"] != userid:
            return error("MO1002", "Invalid User ID or Password")
        if headers["ApiKey"] != user.api_key:
            return error("MO1005", "Invalid ApiKey")
        expected = hashlib.sha256(f"{user.password}{user.api_key}".encode()).hexdigest()
        if body.get("password") != expected:
            return error("MO1002", "Invalid User ID or Password")
        if body.get("2FA") != user.two_fa:
            return error("MO1003", "Invalid 2FA: the date of birth or PAN does not match")
        if user.totp_secret and not pyotp.TOTP(user.totp_secret).verify(str(body.get("totp", "")), valid_window=1):
            return error("MO1004", "Invalid TOTP")
        token = secrets.token_hex(16)
        self.sessions[token] = userid
        self.logins[userid] += 1
        return {
            "status": "SUCCESS",
            "message": "Login Successful",
            "errorcode": "",
            "AuthToken": token,
            "isAuthTokenVerified": "TRUE",
        }
