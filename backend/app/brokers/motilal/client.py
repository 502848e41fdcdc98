"""HTTP to Motilal Oswal's OpenAPI: one pooled httpx client, the header set, the response envelope and its errors.

Every Motilal call is a POST of a JSON body with the same header set (ApiKey, vendorinfo = the client code in
capitals, Authorization = the session's AuthToken after login, for accounts with an API secret `apisecretkey` and
the `accesstoken` from getaccesstoken, and the source/device headers Motilal asks API callers to send). Every
answer is an envelope {"status": "SUCCESS" | "FAILURE" | "ERROR", "message", "errorcode", "data"}.

How an answer becomes a result or one of the broker-neutral errors (nothing is ever retried here):
  - a transport failure, a timeout, HTTP 5xx, or a body that is not a JSON object  -> BrokerUnavailable (no verdict)
  - HTTP 401/403, or an error envelope with one of Motilal's session codes (SESSION_ERROR_CODES)
                                                             -> SessionRefused (a BrokerAuthError): the request was
                                                                refused before it was acted on; log in, try again
  - errorcode MO2035 (Unauthorized IP Address)               -> BrokerRejected, code IP_NOT_WHITELISTED
  - HTTP 429 (too many requests: the request was not processed)                  -> BrokerRejected, code HTTP_429
  - any other error envelope                                                      -> BrokerRejected(code, message)
  - a SUCCESS envelope                                                            -> the envelope, as a dict

Nothing secret is logged: not the headers (ApiKey, AuthToken, API secret, access token), not request bodies (the
login carries the password hash, the 2FA and the TOTP), only the path, the HTTP status and the time taken.
"""

import json
import logging
import platform
import re
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from app.brokers.base import BrokerAuthError, BrokerRejected, BrokerUnavailable

log = logging.getLogger(__name__)

PRODUCTION_URL = "https://openapi.motilaloswal.com"
UAT_URL = "https://openapi.motilaloswaluat.com"

LOGIN = "/rest/login/v7/authdirectapi"
ACCESS_TOKEN = "/rest/login/v1/getaccesstoken"  # noqa: S105  (a path, not a secret)
# Orders and their books at the versions Motilal's current documentation gives (the older v1/v2 paths are what
# older SDKs call).
PLACE_ORDER = "/rest/trans/v2/placeorder"
MODIFY_ORDER = "/rest/trans/v5/modifyorder"
CANCEL_ORDER = "/rest/trans/v2/cancelorder"
ORDER_BOOK = "/rest/book/v5/getorderbook"
TRADE_BOOK = "/rest/book/v4/gettradebook"
ORDER_DETAIL = "/rest/book/v5/getorderdetailbyuniqueorderid"
TRADE_DETAIL = "/rest/book/v4/gettradedetailbyuniqueorderid"
POSITIONS = "/rest/book/v4/getposition"
DP_HOLDINGS = "/rest/report/v3/getdpholding"
LTP = "/rest/report/v1/getltpdata"
MARGIN_DETAIL = "/rest/report/v3/getreportmargindetail"
# A GET with ?name=<exchange>, public (no session); answers a CSV file, not an envelope (scrip_master.py).
SCRIP_MASTER_CSV = "/getscripmastercsv"

# Motilal's codes (its published error-code table) for a request refused because of the session: nothing was done,
# and a fresh login makes the same request good. MO8001 Invalid Token, MO8002 Token Expired, MO8003 Token missing,
# MO1011 Client Not Login, MO2007 Authorization invalid in header, MO1097 Invalid Authorization Verification.
SESSION_ERROR_CODES = frozenset({"MO8001", "MO8002", "MO8003", "MO1011", "MO2007", "MO1097"})
IP_NOT_WHITELISTED = "MO2035"
# An answer without an errorcode is judged by its words (older gateways answer this way).
SESSION_MESSAGE = re.compile(
    r"invalid session|session (has )?expired|session is not valid|token expired|invalid token|login again",
    re.IGNORECASE,
)


class SessionRefused(BrokerAuthError):
    """Motilal refused the request because of its session (SESSION_ERROR_CODES, HTTP 401/403): it did nothing."""


@dataclass(frozen=True, slots=True)
class MotilalConfig:
    """Everything the adapter needs from the app's settings (app/config.py, prefix MULTIDESK_MOTILAL_)."""

    base_url: str = PRODUCTION_URL
    timeout_s: float = 4.0
    orders_per_second: int = 10
    market_protection_pct: Decimal = Decimal("1.0")
    source_id: str = "WEB"
    user_agent: str = "MOSL/V.1.1.0"
    client_local_ip: str = "127.0.0.1"
    client_public_ip: str = "127.0.0.1"
    mac_address: str = "00:00:00:00:00:00"
    os_name: str = platform.system() or "Linux"
    os_version: str = platform.release() or "unknown"
    device_model: str = "server"
    manufacturer: str = "MultiDesk"
    product_name: str = "MultiDesk"
    product_version: str = "0.1.0"
    browser_name: str = "MultiDesk"
    browser_version: str = "0.1.0"


def error_reason(code: str, message: str) -> str:
    return f"{code}: {message}" if code else message


class MotilalHttp:
    """The one pooled HTTP client to Motilal; `post` returns a SUCCESS envelope or raises a BrokerError."""

    def __init__(self, config: MotilalConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    def _ensure_client(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(
                base_url=self.config.base_url.rstrip("/"),
                timeout=httpx.Timeout(self.config.timeout_s),
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
                transport=self._transport,
                # No retries anywhere: a placement whose answer is lost must be looked up, never sent again.
                follow_redirects=False,
            )
        return self._client

    async def start(self) -> None:
        self._ensure_client()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def headers(
        self,
        *,
        api_key: str,
        client_code: str,
        auth_token: str | None,
        api_secret: str | None = None,
        access_token: str | None = None,
    ) -> dict[str, str]:
        c = self.config
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": c.user_agent,
            "ApiKey": api_key,
            "vendorinfo": client_code.upper(),
            "SourceId": c.source_id,
            "ClientLocalIp": c.client_local_ip,
            "ClientPublicIp": c.client_public_ip,
            "MacAddress": c.mac_address,
            "osname": c.os_name,
            "osversion": c.os_version,
            "devicemodel": c.device_model,
            "manufacturer": c.manufacturer,
            "productname": c.product_name,
            "productversion": c.product_version,
            "browsername": c.browser_name,
            "browserversion": c.browser_version,
        }
        if auth_token:
            headers["Authorization"] = auth_token
        if api_secret:
            headers["apisecretkey"] = api_secret
        if access_token:
            headers["accesstoken"] = access_token
        return headers

    async def post(
        self,
        path: str,
        body: dict[str, Any],
        *,
        api_key: str,
        client_code: str,
        auth_token: str | None = None,
        api_secret: str | None = None,
        access_token: str | None = None,
        timeout_s: float | None = None,
    ) -> dict[str, Any]:
        client = self._ensure_client()
        started = time.monotonic()
        headers = self.headers(
            api_key=api_key,
            client_code=client_code,
            auth_token=auth_token,
            api_secret=api_secret,
            access_token=access_token,
        )
        try:
            response = await client.post(
                path,
                content=json.dumps(body),
                headers=headers,
                timeout=httpx.Timeout(timeout_s) if timeout_s is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException:
            waited = timeout_s or self.config.timeout_s
            raise BrokerUnavailable(f"Motilal did not answer {path} within {waited:g}s") from None
        except httpx.HTTPError as exc:
            raise BrokerUnavailable(f"Motilal could not be reached ({type(exc).__name__})") from None
        log.debug("motilal %s -> HTTP %s in %.0f ms", path, response.status_code, (time.monotonic() - started) * 1000)
        return parse_envelope(path, response.status_code, response.content, public_ip=self.config.client_public_ip)


def parse_envelope(path: str, status_code: int, content: bytes, *, public_ip: str | None = None) -> dict[str, Any]:
    """One HTTP answer as a SUCCESS envelope, or the BrokerError it stands for (see the module docstring)."""
    if status_code >= 500:
        raise BrokerUnavailable(f"Motilal answered {path} with HTTP {status_code}")
    if status_code == 429:
        raise BrokerRejected("HTTP_429: Motilal is limiting requests; nothing was done, try again", code="HTTP_429")
    try:
        envelope = json.loads(content)
    except ValueError:
        envelope = None
    if not isinstance(envelope, dict):
        if status_code in (401, 403):
            raise SessionRefused(f"Motilal refused the session (HTTP {status_code})")
        raise BrokerUnavailable(f"Motilal's answer to {path} was not a JSON object (HTTP {status_code})")
    status = str(envelope.get("status") or "").upper()
    code = str(envelope.get("errorcode") or "").strip().upper()
    message = str(envelope.get("message") or "").strip()
    if status == "SUCCESS" and status_code < 400:
        return envelope
    if code == IP_NOT_WHITELISTED:
        raise BrokerRejected(ip_not_whitelisted(message, public_ip), code="IP_NOT_WHITELISTED")
    if status_code in (401, 403) or code in SESSION_ERROR_CODES or (not code and SESSION_MESSAGE.search(message)):
        raise SessionRefused(error_reason(code, message or f"HTTP {status_code}"))
    if status in ("ERROR", "FAILURE", "FAILED") or status_code >= 400:
        raise BrokerRejected(error_reason(code, message or f"Motilal refused {path}"), code=code or None)
    raise BrokerUnavailable(f"Motilal's answer to {path} had no recognisable status")


def ip_not_whitelisted(message: str, public_ip: str | None) -> str:
    sent = f" (sent as ClientPublicIp {public_ip})" if public_ip else ""
    return (
        f"IP_NOT_WHITELISTED: Motilal refused this server's IP address{sent} "
        f"({IP_NOT_WHITELISTED}: {message or 'Unauthorized IP Address'}). Register the server's static public IP "
        "on Motilal's API portal (My APIs, IP whitelist) and set MULTIDESK_MOTILAL_CLIENT_PUBLIC_IP to it; "
        "nothing was done"
    )
