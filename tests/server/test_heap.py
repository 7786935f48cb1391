"""The start-up's objects frozen out of the cyclic collector's walks (server/heap.py)."""

from __future__ import annotations

import gc
import weakref

from starlette.testclient import TestClient

from server.app import create_app
from server.heap import frozen_start_up
from server.settings import Settings


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_objects_alive_at_start_up_are_frozen_until_the_end() -> None:
    before = gc.get_freeze_count()
    with frozen_start_up():
        assert gc.get_freeze_count() > before
        # A request's own cyclic garbage is still collected.
        cycle = _Cycle()
        gone = weakref.ref(cycle)
        del cycle
        gc.collect()
        assert gone() is None
    assert gc.get_freeze_count() == 0


def test_the_app_freezes_its_start_up_while_it_serves(settings: Settings) -> None:
    assert gc.get_freeze_count() == 0
    with TestClient(create_app(settings)) as client:
        assert gc.get_freeze_count() > 10_000  # the schema, the driver, the policy
        assert client.get("/healthz").status_code == 200
    assert gc.get_freeze_count() == 0
