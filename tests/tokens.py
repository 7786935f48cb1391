"""Bearer tokens for tests: HS256 with the development secret, or RS256 with a test key."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from server.auth import load_dev_jwt_secret
from server.settings import Settings


def claims(
    settings: Settings,
    role: str,
    scope: list[str] | None = None,
    *,
    subject: str = "test-user",
    person: str | None = None,
    agreement: str | None = None,
    expires_in: int = 3600,
    **extra: Any,
) -> dict[str, Any]:
    """The claims GridGraph expects (exp, iss, aud, sub, role, scope ...)."""
    now = int(time.time())
    values: dict[str, Any] = {
        "sub": subject,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + expires_in,
        "role": role,
    }
    if scope is not None:
        values["scope"] = scope
    if person is not None:
        values["person"] = person
    if agreement is not None:
        values["agreement"] = agreement
    return values | extra


def hs256(settings: Settings, role: str, scope: list[str] | None = None, **kw: Any) -> str:
    """A development token signed with the app's HS256 secret."""
    return jwt.encode(claims(settings, role, scope, **kw), load_dev_jwt_secret(settings), "HS256")


def bearer(token: str, purpose: str | None = None) -> dict[str, str]:
    """Request headers carrying the token (and a purpose)."""
    headers = {"Authorization": f"Bearer {token}"}
    if purpose is not None:
        headers["X-Purpose"] = purpose
    return headers


class RsaKeys:
    """An RSA key pair for RS256 tokens, with the public key as PEM and as a JWKS."""

    def __init__(self, kid: str = "test-key") -> None:
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_pem = (
            self.private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    def jwks(self) -> str:
        """A JWKS document holding the public key under `kid`."""
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        jwk |= {"kid": self.kid, "use": "sig", "alg": "RS256"}
        return json.dumps({"keys": [jwk]})

    def sign(self, payload: dict[str, Any], kid: str | None = None) -> str:
        """An RS256 token (with `kid` in its header when given)."""
        headers = {"kid": kid} if kid else None
        return jwt.encode(payload, self.private, "RS256", headers=headers)
