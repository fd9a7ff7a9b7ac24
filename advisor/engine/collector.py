"""Pausing Python's cyclic garbage collector while an assessment builds its data.

An assessment allocates tens of thousands of small containers (rows, facts, findings,
the report) and frees almost none of them before it ends. Each time enough have been
allocated the collector runs, and every third-generation run rescans the whole heap,
which is larger the larger the organization: that rescanning, not the work itself, is
what made assessing grow faster than the organization. Measured in one benchmark run at
1,000 squads, the assessment not saved: median 76 ms with the collector on, 51 ms paused;
growth from 200 to 1,000 squads 6.7x on, 4.5x paused (docs/performance.md). What the
engine frees while paused is freed by reference counting as usual; any cycle waits for
the next collection after the pause.
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
