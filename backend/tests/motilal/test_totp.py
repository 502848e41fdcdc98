"""TOTP codes from secrets as authenticator apps take them: RFC 6238's published vectors, short and untidy keys."""

import base64

import httpx
import pytest

from app.brokers.motilal.totp import normalised_secret, totp_code
from tests.conftest import Actor

# RFC 6238, Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890"; 8-digit codes.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("at", "code"), RFC_VECTORS)
def test_rfc_6238_test_vectors(at: int, code: str) -> None:
    assert totp_code(RFC_SECRET, at, digits=8) == code
    # Six digits, as Motilal takes them, are the same code modulo 10^6.
    assert totp_code(RFC_SECRET.lower().rstrip("="), at) == code[-6:]


def test_secrets_are_read_as_authenticator_apps_read_them() -> None:
    assert normalised_secret("JBSWY3DPEHPK3PXP") == "JBSWY3DPEHPK3PXP"  # 80 bits: pyotp alone refuses it
    assert normalised_secret(" jbsw y3dp-ehpk 3pxp\n") == "JBSWY3DPEHPK3PXP"
    # A length that is not whole bytes: the bits left over at the end are dropped, as the apps do.
    assert normalised_secret("JBSWY3DPEHPK3PXPUNIQUE") == normalised_secret("JBSWY3DPEHPK3PXPUNIQU")
    assert totp_code("jbswy3dpehpk3pxp", 59) == totp_code("JBSWY3DPEHPK3PXP", 59)
    for unusable in ("", "JBSWY3DP", "JBSWY3DPEHPK3PX1", "not base32 at all!", "JBSWY3DPEHPK3PX8"):
        with pytest.raises(ValueError, match="base32 key of at least 80 bits"):
            normalised_secret(unusable)


async def test_a_client_with_an_unusable_totp_secret_is_refused_422(http: httpx.AsyncClient, advisor: Actor) -> None:
    body = {
        "display_name": "TOTP check",
        "broker": "motilal",
        "broker_client_id": "EMUM1",
        "credentials": {"api_key": "k", "password": "p", "two_fa": "01/01/1990", "totp_secret": "SECRET-1!"},
    }
    refused = await http.post("/api/v1/clients", json=body, headers=advisor.headers)
    assert refused.status_code == 422
    [error] = refused.json()["error"]["details"]["errors"]
    assert error["type"] == "totp_secret_invalid" and error["loc"][-1] == "totp_secret"
    assert "SECRET-1!" not in refused.text
    body["credentials"]["totp_secret"] = "jbsw y3dp ehpk 3pxp"
    created = await http.post("/api/v1/clients", json=body, headers=advisor.headers)
    assert created.status_code == 201
    client_id = created.json()["id"]
    patch = {"credentials": {"totp_secret": "JBSWY3DP"}}
    assert (await http.patch(f"/api/v1/clients/{client_id}", json=patch, headers=advisor.headers)).status_code == 422
    patch = {"credentials": {"totp_secret": "", "api_secret": "S3CRET-API"}}
    updated = await http.patch(f"/api/v1/clients/{client_id}", json=patch, headers=advisor.headers)
    assert updated.status_code == 200
    assert updated.json()["credentials_set"]["api_secret"] is True
    assert updated.json()["credentials_set"]["totp_secret"] is False
    assert "S3CRET-API" not in updated.text
