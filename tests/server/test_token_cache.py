"""Verified bearer tokens are remembered until they expire (server/token_cache.py)."""

from __future__ import annotations

from typing import Any

from server.token_cache import VerifiedTokens


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _claims(exp: float) -> dict[str, Any]:
    return {"sub": "someone", "exp": exp}


def test_claims_are_reused_until_the_token_expires() -> None:
    clock = _Clock()
    tokens = VerifiedTokens(clock=clock)
    assert tokens.claims("a.b.c") is None
    tokens.remember("a.b.c", _claims(exp=1_010))
    assert tokens.claims("a.b.c") == _claims(exp=1_010)
    clock.now = 1_010  # exp is the first instant the token is no longer valid
    assert tokens.claims("a.b.c") is None
    clock.now = 1_000
    assert tokens.claims("a.b.c") is None  # forgotten once expired


def test_only_the_very_token_is_recognised_and_it_is_not_kept_in_clear() -> None:
    tokens = VerifiedTokens(clock=_Clock())
    tokens.remember("header.payload.signature", _claims(exp=2_000))
    assert tokens.claims("header.payload.signaturf") is None
    assert "header.payload.signature" not in repr(tokens._claims)


def test_the_oldest_are_forgotten_beyond_the_cap() -> None:
    tokens = VerifiedTokens(max_tokens=2, clock=_Clock())
    for name in ("first", "second", "third"):
        tokens.remember(name, _claims(exp=2_000))
    assert tokens.claims("first") is None
    assert tokens.claims("second") is not None and tokens.claims("third") is not None
