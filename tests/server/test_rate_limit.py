"""The per-principal token bucket, driven by a fake clock (the caller passes `now`)."""

from __future__ import annotations

import pytest

from server.rate_limit import RateLimiter, rate_limiter, retry_after
from server.settings import Settings


def test_a_burst_is_allowed_then_the_next_request_waits() -> None:
    # given 2 requests per second with a burst of 3
    limiter = RateLimiter(rate_per_s=2, burst=3)
    # when 4 requests arrive at the same instant
    answers = [limiter.take("alice", now=100.0) for _ in range(4)]
    # then 3 pass and the 4th must wait half a second (one token at 2 per second)
    assert answers == [None, None, None, 0.5]


def test_tokens_come_back_at_the_rate() -> None:
    limiter = RateLimiter(rate_per_s=2, burst=3)
    for _ in range(3):
        limiter.take("alice", now=0.0)
    assert limiter.take("alice", now=0.2) == pytest.approx(0.3)  # 0.4 of a token so far
    assert limiter.take("alice", now=0.5) is None  # one whole token back
    assert limiter.take("alice", now=0.5) == pytest.approx(0.5)


def test_refused_requests_do_not_use_tokens() -> None:
    limiter = RateLimiter(rate_per_s=1, burst=1)
    assert limiter.take("alice", now=0.0) is None
    # hammering while refused does not push the wait further out
    waits = [limiter.take("alice", now=0.5) for _ in range(10)]
    assert waits == [pytest.approx(0.5)] * 10
    assert limiter.take("alice", now=1.0) is None


def test_a_long_pause_refills_only_up_to_the_burst() -> None:
    limiter = RateLimiter(rate_per_s=10, burst=2)
    limiter.take("alice", now=0.0)
    answers = [limiter.take("alice", now=3600.0) for _ in range(3)]
    assert answers == [None, None, pytest.approx(0.1)]


def test_each_subject_has_its_own_bucket() -> None:
    limiter = RateLimiter(rate_per_s=1, burst=1)
    assert limiter.take("alice", now=0.0) is None
    assert limiter.take("alice", now=0.0) == 1.0
    assert limiter.take("bob", now=0.0) is None


def test_a_clock_going_back_refills_nothing() -> None:
    limiter = RateLimiter(rate_per_s=1, burst=1)
    assert limiter.take("alice", now=10.0) is None
    assert limiter.take("alice", now=5.0) == 1.0
    assert limiter.take("alice", now=11.0) is None


def test_full_buckets_are_forgotten_when_many_subjects_are_tracked() -> None:
    # given a limiter tracking at most 3 subjects, two of them idle long enough to refill
    limiter = RateLimiter(rate_per_s=1, burst=2, max_subjects=3)
    limiter.take("idle-1", now=0.0)
    limiter.take("idle-2", now=0.0)
    limiter.take("busy", now=9.0)
    limiter.take("busy", now=9.0)
    # when a fourth subject arrives
    assert limiter.take("new", now=10.0) is None
    # then the refilled buckets were dropped, the busy one (still short) is kept
    assert limiter.tracked_subjects() == 2
    assert limiter.take("busy", now=10.0) is None
    assert limiter.take("busy", now=10.0) == 1.0


@pytest.mark.parametrize(("wait", "header"), [(0.01, "1"), (1.0, "1"), (1.2, "2"), (59.5, "60")])
def test_retry_after_is_whole_seconds_rounded_up(wait: float, header: str) -> None:
    assert retry_after(wait) == header


def test_settings_build_the_limiter_and_zero_turns_it_off() -> None:
    defaults = Settings.model_fields
    limiter = rate_limiter(
        defaults["rate_limit_per_s"].default, defaults["rate_limit_burst"].default
    )
    assert limiter is not None
    assert (limiter.rate_per_s, limiter.burst) == (20.0, 100)
    assert rate_limiter(0, 100) is None


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (1, 0)])
def test_a_limiter_needs_a_positive_rate_and_burst(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match="rate_per_s > 0"):
        RateLimiter(rate_per_s=rate, burst=burst)


def test_a_request_may_take_several_tokens_at_once() -> None:
    limiter = RateLimiter(rate_per_s=1, burst=5)
    assert limiter.take("alice", now=0.0, cost=3) is None
    assert limiter.take("alice", now=0.0, cost=3) == 1.0  # 2 left: refused, nothing taken
    assert limiter.take("alice", now=0.0, cost=2) is None
    assert limiter.take("alice", now=0.0, cost=9) == 5.0  # over the burst: a full refill


def test_waiting_is_asked_without_taking() -> None:
    limiter = RateLimiter(rate_per_s=1, burst=1)
    assert limiter.wait("alice", now=0.0) is None  # no bucket yet
    limiter.take("alice", now=0.0)
    assert limiter.wait("alice", now=0.5) == 0.5
    assert limiter.wait("alice", now=1.0) is None
    assert limiter.take("alice", now=1.0) is None
