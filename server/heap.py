"""The objects a worker builds at start-up kept out of the cyclic garbage collector's way.

A worker starts with about 127,000 objects the collector tracks: the schema, its types and
resolvers, parsed policy, the driver. They live as long as the process. Python's oldest
generation is collected now and then, and each collection walks all of them: about 70 ms of
CPU in one go, every few hundred requests on the demo bench, which is one request's tail
latency and about 0.25 ms per request on average (docs/benchmarks.md, session 10).

`frozen_start_up` freezes the objects alive when the app starts serving (`gc.freeze`): the
collector no longer walks them, and requests' own garbage is collected as before. At
shutdown they are unfrozen, so that an app built and stopped in a longer-lived process (the
tests) leaves nothing behind. There is no collection before the freeze: a full collection of
a large process (the test suite's) took long enough to slow the suite by a fifth, and
whatever start-up garbage is frozen with the rest is a bounded, one-time amount.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def frozen_start_up() -> Iterator[None]:
    """Freeze the objects alive now for the duration of the block."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
