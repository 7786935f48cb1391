"""Who is calling: bearer JWTs and partners' API keys become a Principal (docs/security.md).

- `Authorization: Bearer <jwt>`: exp, iss, aud and sub are required and checked; the token
  may be valid for at most `jwt_max_lifetime_s` more seconds (`exp - now`, and `exp - iat`
  when `iat` is given). Failures answer fixed messages (never the decoder's). Claims:
  `role` (admin, investigator, grid_worker, partner, community_officer, street_officer,
  hotline_operator, department_officer), `scope` (a list of place codes; required for every
  role but admin and department_officer; an office's codes are of its own level: community
  12 digits, street 9, hotline centre the 6-digit district), `department` (a department
  officer's department; its scope is looked up per request: the grids its professional
  members support and those of its work orders), `person` (the Person id of the subject,
  optional), `agreement` (partners). HS256 with the configured secret in development
  only; RS256 with a PEM public key or a JWKS file (key chosen by `kid`) in any mode.
- `X-Api-Key: ggk_<id>_<secret>`: a partner key (graph/api_keys.py); its principal has role
  partner, the key's agreement and that agreement's scope. Lookups are cached briefly
  (server/key_cache.py).
- Partners must state a purpose in `X-Purpose` (e.g. a case code or task number); others
  may, and it is recorded in the audit log.
- No credentials: the anonymous developer when development mode is on, else 401.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jwt
from starlette.requests import HTTPConnection

from graph import departments
from graph.client import GraphClient
from resolvers.agreements import Agreement
from resolvers.errors import ErrorCode
from resolvers.principal import (
    ANONYMOUS_DEVELOPER,
    SCOPE_CODE_LENGTH,
    Credential,
    Principal,
    Role,
)
from server.key_cache import ApiKeyCache
from server.refusals import Refusal
from server.settings import Settings
from server.token_cache import VerifiedTokens

DEV_SECRET_FILE = "jwt-hs256.secret"  # noqa: S105 - a file name, not a secret
PURPOSE_HEADER = "x-purpose"
API_KEY_HEADER = "x-api-key"
MAX_PURPOSE_LENGTH = 200
PLACE_CODE = re.compile(r"\d{6}(\d{3}){0,3}")  # district, street, community or grid
DEPARTMENT_CODE = re.compile(r"\d{6}[DL]\d{2}")  # a department or livelihood unit
TOKEN_ROLES = {role.value: role for role in Role if role is not Role.DEVELOPER}
# Algorithms a refusal may name; anything else in a token's header is not echoed.
KNOWN_ALGORITHMS = frozenset(
    {"none", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"}
    | {"PS256", "PS384", "PS512", "EdDSA"}
)


class AuthError(Refusal):
    """The request is refused before any GraphQL runs (401, 403 or 429, with a stable code)."""


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
        except jwt.PyJWTError:
            raise _unauthenticated("Malformed bearer token.") from None
        algorithm = header.get("alg")
        if algorithm == "HS256" and self.hs256_secret is not None:
            return self.hs256_secret, "HS256"
        if algorithm == "RS256" and self.jwks is not None:
            kid = header.get("kid")
            for key in self.jwks.keys:
                if key.key_id == kid:
                    return key.key, "RS256"
            raise _unauthenticated("No key with the token's kid in the configured JWKS.")
        if algorithm == "RS256" and self.rs256_public_key is not None:
            return self.rs256_public_key, "RS256"
        known = isinstance(algorithm, str) and algorithm in KNOWN_ALGORITHMS
        named = algorithm if known else "this algorithm"
        raise _unauthenticated(f"Tokens signed with {named} are not accepted here.")


def _token_problem(error: jwt.PyJWTError) -> str:
    """A fixed message for a token that did not verify (never the decoder's own text)."""
    if isinstance(error, jwt.ExpiredSignatureError):
        return "The bearer token has expired."
    if isinstance(error, jwt.InvalidAudienceError):
        return "The bearer token's audience is not accepted here."
    if isinstance(error, jwt.InvalidIssuerError):
        return "The bearer token's issuer is not accepted here."
    if isinstance(error, jwt.MissingRequiredClaimError):
        return f"The bearer token lacks the required claim {error.claim}."
    if isinstance(error, jwt.ImmatureSignatureError):
        return "The bearer token is not valid yet."
    if isinstance(error, jwt.InvalidSignatureError):
        return "The bearer token's signature does not verify."
    if isinstance(error, jwt.DecodeError):
        return "Malformed bearer token."
    return "Invalid bearer token."


def _read(path: Path | None) -> str | None:
    return path.read_text() if path is not None else None


def _scope_claim(value: object, length: int | None = None) -> frozenset[str]:
    if not isinstance(value, list) or not value:
        raise _unauthenticated("The token's scope must be a non-empty list of place codes.")
    codes = [str(code) for code in value]
    bad = [code for code in codes if not PLACE_CODE.fullmatch(code)]
    if bad:
        raise _unauthenticated(f"The token's scope holds malformed place codes: {bad}.")
    wrong = [code for code in codes if length is not None and len(code) != length]
    if wrong:  # an office's scope is places of its own level (resolvers/principal.py)
        raise _unauthenticated(f"The token's scope must hold {length}-digit place codes: {wrong}.")
    return frozenset(codes)


class Authenticator:
    """Turns a request's credentials into its Principal, or refuses it with AuthError."""

    def __init__(
        self,
        settings: Settings,
        keys: TokenKeys,
        agreements: Mapping[str, Agreement],
        key_cache: ApiKeyCache | None = None,
    ) -> None:
        self.development = settings.development
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.max_lifetime_s = settings.jwt_max_lifetime_s
        self.keys = keys
        self.agreements = agreements
        self.key_cache = key_cache or ApiKeyCache(settings.api_key_cache_s)
        self.verified_tokens = VerifiedTokens()

    async def principal_for(self, request: HTTPConnection, graph: GraphClient) -> Principal:
        """The principal of this request (with its purpose, checked), or AuthError."""
        principal = await self.authenticate(request, graph)
        self.check_purpose(principal, request)
        return principal

    async def authenticate(self, request: HTTPConnection, graph: GraphClient) -> Principal:
        """Who sent this request (purpose not checked yet: see check_purpose), or AuthError."""
        purpose = self._purpose(request)
        authorization = request.headers.get("authorization", "")
        api_key = request.headers.get(API_KEY_HEADER)
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise _unauthenticated("Authorization must be 'Bearer <token>'.")
            principal = self._from_token(token.strip(), purpose)
            if principal.role is Role.DEPARTMENT_OFFICER:
                principal = await self._department_officer(principal, graph)
        elif api_key:
            principal = await self._from_api_key(api_key, graph, purpose)
        elif self.development:
            return ANONYMOUS_DEVELOPER
        else:
            raise _unauthenticated("Credentials required: a bearer token or an API key.")
        return principal

    @staticmethod
    def check_purpose(principal: Principal, request: HTTPConnection) -> None:
        """AuthError for an over-long X-Purpose, or a partner's request without one."""
        if len(request.headers.get(PURPOSE_HEADER, "").strip()) > MAX_PURPOSE_LENGTH:
            raise AuthError(
                400,
                ErrorCode.BAD_USER_INPUT,
                f"X-Purpose is longer than {MAX_PURPOSE_LENGTH}.",
                principal,
            )
        if principal.role is Role.PARTNER and not principal.purpose:
            raise AuthError(
                403,
                ErrorCode.PURPOSE_REQUIRED,
                "Partners must state a purpose in the X-Purpose header (a case or task).",
                principal,
            )

    def agreement_of(self, principal: Principal) -> Agreement | None:
        """The partner's agreement (None for other roles)."""
        return self.agreements.get(principal.agreement) if principal.agreement else None

    @staticmethod
    def _purpose(request: HTTPConnection) -> str | None:
        """The stated purpose; None when absent or over-long (check_purpose refuses that)."""
        purpose = request.headers.get(PURPOSE_HEADER, "").strip()
        return purpose if 0 < len(purpose) <= MAX_PURPOSE_LENGTH else None

    def _verified_claims(self, token: str) -> Mapping[str, Any]:
        """The token's claims once its signature, issuer, audience and times verify."""
        remembered = self.verified_tokens.claims(token)
        if remembered is not None:
            return remembered
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
        except jwt.PyJWTError as error:
            raise _unauthenticated(_token_problem(error)) from None
        self.verified_tokens.remember(token, claims)
        return claims

    def _from_token(self, token: str, purpose: str | None) -> Principal:
        claims = self._verified_claims(token)
        self._check_lifetime(claims)
        role = TOKEN_ROLES.get(str(claims.get("role")))
        if role is None:
            raise _unauthenticated(f"Unknown role {claims.get('role')!r} in the token.")
        agreement = claims.get("agreement")
        if role is Role.PARTNER:
            found = self._agreement(agreement)
            scope: frozenset[str] | None = found.scope
        elif role is Role.ADMIN:
            scope = None
        elif role is Role.DEPARTMENT_OFFICER:
            scope = frozenset()  # looked up from the department (_department_officer)
        else:
            scope = _scope_claim(claims.get("scope"), SCOPE_CODE_LENGTH.get(role))
        department = claims.get("department")
        if role is Role.DEPARTMENT_OFFICER and not (
            isinstance(department, str) and DEPARTMENT_CODE.fullmatch(department)
        ):
            raise _unauthenticated("A department officer's token must name its department.")
        person = claims.get("person")
        return Principal(
            subject=str(claims["sub"]),
            role=role,
            scope=scope,
            purpose=purpose,
            person_id=str(person) if person else None,
            agreement=str(agreement) if role is Role.PARTNER else None,
            credential=Credential.JWT,
            department=str(department) if role is Role.DEPARTMENT_OFFICER else None,
        )

    @staticmethod
    async def _department_officer(principal: Principal, graph: GraphClient) -> Principal:
        """A department officer's scope, looked up per request: the grids its professional
        members support and those of its work orders (graph/departments.py)."""
        grids = await departments.department_scope(graph, principal.department or "")
        if grids is None:
            raise _unauthenticated(f"Unknown department {principal.department!r} in the token.")
        return replace(principal, scope=grids)

    def _check_lifetime(self, claims: Mapping[str, Any]) -> None:
        """Refuse a token valid for longer than the maximum (from now, and from its iat)."""
        try:
            exp = float(claims["exp"])
            issued = claims.get("iat")
            longest = max(exp - time.time(), exp - float(issued) if issued is not None else 0.0)
        except (TypeError, ValueError):
            raise _unauthenticated("Invalid bearer token.") from None
        if longest > self.max_lifetime_s:
            raise _unauthenticated(
                f"The bearer token is valid for longer than the {self.max_lifetime_s} s allowed."
            )

    async def _from_api_key(
        self, presented: str, graph: GraphClient, purpose: str | None
    ) -> Principal:
        record = await self.key_cache.verified(graph, presented)
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
