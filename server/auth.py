"""Who is calling: bearer JWTs and partners' API keys become a Principal (docs/security.md).

- `Authorization: Bearer <jwt>`: exp, iss, aud and sub are required and checked. Claims:
  `role` (admin, investigator, grid_worker, partner), `scope` (a list of place codes;
  required for every role but admin), `person` (the Person id of the subject, optional),
  `agreement` (partners). HS256 with the configured secret in development only; RS256 with
  a PEM public key or a JWKS file (key chosen by `kid`) in any mode.
- `X-Api-Key: ggk_<id>_<secret>`: a partner key (graph/api_keys.py); its principal has role
  partner, the key's agreement and that agreement's scope.
- Partners must state a purpose in `X-Purpose` (e.g. a case code or task number); others
  may, and it is recorded in the audit log.
- No credentials: the anonymous developer when development mode is on, else 401.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from starlette.requests import HTTPConnection

from graph.api_keys import verified_api_key
from graph.client import GraphClient
from resolvers.agreements import Agreement
from resolvers.errors import ErrorCode
from resolvers.principal import ANONYMOUS_DEVELOPER, Credential, Principal, Role
from server.settings import Settings

DEV_SECRET_FILE = "jwt-hs256.secret"  # noqa: S105 - a file name, not a secret
PURPOSE_HEADER = "x-purpose"
API_KEY_HEADER = "x-api-key"
MAX_PURPOSE_LENGTH = 200
PLACE_CODE = re.compile(r"\d{6}(\d{3}){0,3}")  # district, street, community or grid
TOKEN_ROLES = {role.value: role for role in Role if role is not Role.DEVELOPER}


class AuthError(Exception):
    """The request is refused before any GraphQL runs (401 or 403, with a stable code)."""

    def __init__(
        self,
        status: int,
        code: ErrorCode,
        message: str,
        principal: Principal | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.principal = principal  # set when the caller was authenticated (to audit it)
        self.headers = headers


def _unauthenticated(message: str) -> AuthError:
    return AuthError(401, ErrorCode.UNAUTHENTICATED, message)


def load_dev_jwt_secret(settings: Settings) -> str:
    """The development HS256 secret: configured, or generated once into the data dir."""
    if settings.jwt_hs256_secret is not None:
        return settings.jwt_hs256_secret.get_secret_value()
    path = settings.data_dir / DEV_SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
    return path.read_text().strip()


@dataclass(frozen=True)
class TokenKeys:
    """The keys bearer tokens may be signed with, by algorithm."""

    hs256_secret: str | None = None  # development only
    rs256_public_key: str | None = None
    jwks: jwt.PyJWKSet | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenKeys:
        public_key = _read(settings.jwt_public_key_file)
        jwks_text = _read(settings.jwt_jwks_file)
        return cls(
            hs256_secret=load_dev_jwt_secret(settings) if settings.development else None,
            rs256_public_key=public_key,
            jwks=jwt.PyJWKSet.from_json(jwks_text) if jwks_text else None,
        )

    def key_for(self, token: str) -> tuple[Any, str]:
        """(verification key, algorithm) for this token's header, or AuthError."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise _unauthenticated(f"Malformed bearer token: {error}.") from error
        algorithm = header.get("alg")
        if algorithm == "HS256" and self.hs256_secret is not None:
            return self.hs256_secret, "HS256"
        if algorithm == "RS256" and self.jwks is not None:
            kid = header.get("kid")
            for key in self.jwks.keys:
                if key.key_id == kid:
                    return key.key, "RS256"
            raise _unauthenticated(f"No key with kid {kid!r} in the configured JWKS.")
        if algorithm == "RS256" and self.rs256_public_key is not None:
            return self.rs256_public_key, "RS256"
        raise _unauthenticated(f"Tokens signed with {algorithm} are not accepted here.")


def _read(path: Path | None) -> str | None:
    return path.read_text() if path is not None else None


def _scope_claim(value: object) -> frozenset[str]:
    if not isinstance(value, list) or not value:
        raise _unauthenticated("The token's scope must be a non-empty list of place codes.")
    codes = [str(code) for code in value]
    bad = [code for code in codes if not PLACE_CODE.fullmatch(code)]
    if bad:
        raise _unauthenticated(f"The token's scope holds malformed place codes: {bad}.")
    return frozenset(codes)


class Authenticator:
    """Turns a request's credentials into its Principal, or refuses it with AuthError."""

    def __init__(
        self,
        settings: Settings,
        keys: TokenKeys,
        agreements: Mapping[str, Agreement],
    ) -> None:
        self.development = settings.development
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.keys = keys
        self.agreements = agreements

    async def principal_for(self, request: HTTPConnection, graph: GraphClient) -> Principal:
        """The principal of this request (with its purpose), or AuthError."""
        purpose = self._purpose(request)
        authorization = request.headers.get("authorization", "")
        api_key = request.headers.get(API_KEY_HEADER)
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise _unauthenticated("Authorization must be 'Bearer <token>'.")
            principal = self._from_token(token.strip(), purpose)
        elif api_key:
            principal = await self._from_api_key(api_key, graph, purpose)
        elif self.development:
            return ANONYMOUS_DEVELOPER
        else:
            raise _unauthenticated("Credentials required: a bearer token or an API key.")
        if principal.role is Role.PARTNER and not principal.purpose:
            raise AuthError(
                403,
                ErrorCode.PURPOSE_REQUIRED,
                "Partners must state a purpose in the X-Purpose header (a case or task).",
                principal,
            )
        return principal

    def agreement_of(self, principal: Principal) -> Agreement | None:
        """The partner's agreement (None for other roles)."""
        return self.agreements.get(principal.agreement) if principal.agreement else None

    @staticmethod
    def _purpose(request: HTTPConnection) -> str | None:
        purpose = request.headers.get(PURPOSE_HEADER, "").strip()
        if len(purpose) > MAX_PURPOSE_LENGTH:
            raise AuthError(
                400, ErrorCode.BAD_USER_INPUT, f"X-Purpose is longer than {MAX_PURPOSE_LENGTH}."
            )
        return purpose or None

    def _from_token(self, token: str, purpose: str | None) -> Principal:
        key, algorithm = self.keys.key_for(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise _unauthenticated("The bearer token has expired.") from error
        except jwt.PyJWTError as error:
            raise _unauthenticated(f"Invalid bearer token: {error}.") from error
        role = TOKEN_ROLES.get(str(claims.get("role")))
        if role is None:
            raise _unauthenticated(f"Unknown role {claims.get('role')!r} in the token.")
        agreement = claims.get("agreement")
        if role is Role.PARTNER:
            found = self._agreement(agreement)
            scope: frozenset[str] | None = found.scope
        elif role is Role.ADMIN:
            scope = None
        else:
            scope = _scope_claim(claims.get("scope"))
        person = claims.get("person")
        return Principal(
            subject=str(claims["sub"]),
            role=role,
            scope=scope,
            purpose=purpose,
            person_id=str(person) if person else None,
            agreement=str(agreement) if role is Role.PARTNER else None,
            credential=Credential.JWT,
        )

    async def _from_api_key(
        self, presented: str, graph: GraphClient, purpose: str | None
    ) -> Principal:
        record = await verified_api_key(graph, presented)
        if record is None:
            raise _unauthenticated("Unknown or revoked API key.")
        agreement = self._agreement(record.agreement)
        return Principal(
            subject=f"apikey:{record.id}:{record.name}",
            role=Role.PARTNER,
            scope=agreement.scope,
            purpose=purpose,
            agreement=agreement.name,
            credential=Credential.API_KEY,
        )

    def _agreement(self, name: object) -> Agreement:
        found = self.agreements.get(str(name)) if name else None
        if found is None:
            raise _unauthenticated(f"Unknown data-sharing agreement {name!r}.")
        return found
