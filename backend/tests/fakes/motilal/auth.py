"""The fake Motilal's login and sessions, with Motilal's own error codes (its published error-code table).

Login (/rest/login/v7/authdirectapi) takes userid (capitals, as Motilal's FAQ asks), password = sha256(password +
api key), 2FA (DOB dd/mm/yyyy or PAN in capitals) and, optionally, a TOTP. A login without a TOTP, for a user who
has a TOTP secret or must confirm with an OTP (`otp_login`), opens an unverified session (isAuthTokenVerified
"FALSE"): Motilal would send an OTP, and calls with that token are refused MO1097. Users with an API secret send it
as `apisecretkey` on every call and, after login, fetch an access token (/rest/login/v1/getaccesstoken, no body)
that every later call carries as `accesstoken`.

The header checks every request goes through, in order, are in `_check_headers` and `_authorise`.
"""

import hashlib
import re
import secrets
from typing import Any

import pyotp

from tests.fakes.motilal.model import BROWSER_HEADERS, REQUIRED_HEADERS, FakeUser, error

LOGIN_PATH = "/rest/login/v7/authdirectapi"
ACCESS_TOKEN_PATH = "/rest/login/v1/getaccesstoken"
# Motilal's codes for a missing or invalid header (error-code table, MO2003-MO2023).
HEADER_CODES = {
    "Accept": "MO2003",
    "User-Agent": "MO2004",
    "ApiKey": "MO2005",
    "MacAddress": "MO2008",
    "ClientLocalIp": "MO2009",
    "ClientPublicIp": "MO2010",
    "SourceId": "MO2011",
    "vendorinfo": "MO2012",
    "osname": "MO2014",
    "osversion": "MO2015",
    "devicemodel": "MO2016",
    "manufacturer": "MO2017",
    "productname": "MO2018",
    "productversion": "MO2019",
    "browsername": "MO2022",
    "browserversion": "MO2023",
}
# What a session refusal says, by code (the codes a client must answer by logging in again).
SESSION_ERRORS = {
    "MO8001": "Invalid Token",
    "MO8002": "Token Expired",
    "MO8003": "Token missing",
    "MO1011": "Client Not Login",
    "MO2007": "Authorization is InVaild In Header Parameter",
    "MO1097": "Invalid Authorization Verification",
}
TOKEN_SHAPE = re.compile(r"^[0-9a-f]{32}_M$")  # as Motilal's samples show them: "774aac4a...5b13_M"


class _TOTP(pyotp.TOTP):
    # Motilal issues keys authenticator apps take, down to 80 bits; pyotp's default floor is 112.
    min_secret_length_bits = 80


def session_error(code: str) -> dict[str, Any]:
    return error(code, SESSION_ERRORS[code])


def _new_token() -> str:
    return f"{secrets.token_hex(16)}_M"


class Auth:
    """Login and the per-request session checks, mixed into FakeMotilal (which holds users, sessions, counters)."""

    def _reset_sessions(self) -> None:
        self.sessions: dict[str, str] = {}  # live AuthToken -> userid (verified or not)
        self.unverified: set[str] = set()  # AuthTokens opened without a TOTP, waiting for an OTP
        self.expired: dict[str, str] = {}  # AuthToken -> userid: Motilal expired it (MO8002)
        self.logged_out: dict[str, str] = {}  # AuthToken -> userid: the client logged out (MO1011)
        self.access_tokens: dict[str, str] = {}  # AuthToken -> the access token getaccesstoken gave it

    def expire_sessions(self, userid: str) -> None:
        """Expire the user's tokens, as Motilal does every morning at 6 (later calls get MO8002)."""
        self._end_sessions(userid, self.expired)

    def log_out(self, userid: str) -> None:
        """End the user's sessions as a logout elsewhere does (later calls get MO1011)."""
        self._end_sessions(userid, self.logged_out)

    def _end_sessions(self, userid: str, into: dict[str, str]) -> None:
        for token in [token for token, user in self.sessions.items() if user == userid]:
            into[token] = self.sessions.pop(token)
            self.unverified.discard(token)
            self.access_tokens.pop(token, None)

    def _check_headers(self, headers: Any) -> dict[str, Any] | None:
        """The header set every request needs, login included; an error envelope, or None if it is complete."""
        required = REQUIRED_HEADERS + (BROWSER_HEADERS if headers.get("SourceId", "").upper() == "WEB" else ())
        for name in required:
            if not headers.get(name):
                return error(HEADER_CODES.get(name, "MO1050"), f"{name} is InVaild In Header Parameter")
        if not headers["User-Agent"].startswith("MOSL/"):
            return error("MO2004", "UserAgent is InVaild In Header Parameter")
        if headers["SourceId"].upper() not in ("WEB", "DESKTOP", "MOBILE"):
            return error("MO2011", "SourceID is InVaild In Header Parameter")
        return None

    def _ip_allowed(self, user: FakeUser, headers: Any) -> bool:
        return user.allowed_ips is None or headers.get("ClientPublicIp", "") in user.allowed_ips

    def _login(self, headers: Any, body: dict[str, Any]) -> dict[str, Any]:
        userid = str(body.get("userid", ""))
        self.login_attempts[userid] += 1
        user = self.users.get(userid)  # case-sensitive: Motilal wants the client code in capitals
        if user is None:
            return error("MO1000", "Invalid UserId Or Password")
        if headers["vendorinfo"] != userid:
            return error("MO2012", "Vendor Tag is Invalid In Header Parameter")
        if not self._ip_allowed(user, headers):
            return error("MO2035", "Unauthorized IP Address")
        if headers["ApiKey"] != user.api_key:
            known = any(other.api_key == headers["ApiKey"] for other in self.users.values())
            return error("MO1004", "Invalid API Key") if known else error("MO1005", "API Key Not Found")
        if user.api_secret is not None and headers.get("apisecretkey") != user.api_secret:
            return error("MO2006", "ApiSecretKey is InVaild In Header Parameter")
        expected = hashlib.sha256(f"{user.password}{user.api_key}".encode()).hexdigest()
        if body.get("password") != expected:
            return error("MO1000", "Invalid UserId Or Password")
        if body.get("2FA") != user.two_fa:
            return error("MO1007", "Invalid 2FA")
        totp = str(body.get("totp") or "")
        if totp:
            if not user.totp_secret:
                return error("MO1094", "Invalid TOTP Key")
            if not _TOTP(user.totp_secret).verify(totp, valid_window=1):
                return error("MO1093", "Invalid TOTP")
        verified = bool(totp) or not (user.totp_secret or user.otp_login)
        token = _new_token()
        self.sessions[token] = userid
        if not verified:
            self.unverified.add(token)
        self.logins[userid] += 1
        return {
            "status": "SUCCESS",
            "message": "Return Auth Token SUCCESS",
            "errorcode": "",
            "AuthToken": token,
            "isAuthTokenVerified": "TRUE" if verified else "FALSE",
        }

    def _authorise(self, path: str, headers: Any) -> tuple[str | None, dict[str, Any] | None]:
        """(the session's userid, None), or (None, the error envelope) for a request after login."""
        token = headers.get("Authorization", "")
        if not token:
            return None, session_error("MO8003")
        if not TOKEN_SHAPE.match(token):
            return None, session_error("MO2007")
        if token in self.expired:
            return None, session_error("MO8002")
        if token in self.logged_out:
            return None, session_error("MO1011")
        userid = self.sessions.get(token)
        if userid is None:
            return None, session_error("MO8001")
        if token in self.unverified:
            return None, session_error("MO1097")
        user = self.users[userid]
        if not self._ip_allowed(user, headers):
            return None, error("MO2035", "Unauthorized IP Address")
        if headers["ApiKey"] != user.api_key:
            return None, error("MO2005", "ApiKey is InVaild In Header Parameter")
        if headers["vendorinfo"] != userid:
            return None, error("MO2012", "Vendor Tag is Invalid In Header Parameter")
        if user.api_secret is not None:
            if headers.get("apisecretkey") != user.api_secret:
                return None, error("MO2006", "ApiSecretKey is InVaild In Header Parameter")
            if path != ACCESS_TOKEN_PATH:
                access = headers.get("accesstoken", "")
                if not access:
                    return None, session_error("MO8003")
                if access != self.access_tokens.get(token):
                    return None, session_error("MO8001")
        return userid, None

    def _access_token(self, headers: Any) -> dict[str, Any]:
        token = headers["Authorization"]
        user = self.users[self.sessions[token]]
        if user.api_secret is None:
            return error("MO2006", "ApiSecretKey is InVaild In Header Parameter")
        self.access_tokens[token] = _new_token()
        return {"status": "SUCCESS", "message": "", "errorcode": "", "accesstoken": self.access_tokens[token]}
