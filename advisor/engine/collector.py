"""Pausing Python's cyclic garbage collector while an assessment builds its data.

An assessment allocates tens of thousands of small containers (rows, facts, findings,
the report) and frees almost none of them before it ends. Each time enough have been
allocated the collector runs, and every third-generation run rescans the whole heap,
which is larger the larger the organization: that rescanning, not the work itself, is
what made assessing grow faster than the organization (see docs/performance.md for the
figures). Nothing the engine makes while paused is cyclic garbage that would need the
collector: reference counting frees it as usual.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic collector inside, and restore it as it was on the way out, even
    when the body raises. Nested pauses leave it to the outermost one."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
