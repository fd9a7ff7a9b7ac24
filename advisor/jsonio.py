"""JSON as an assessment stores it: compact text in its rows' JSON columns, and its
archived document compressed; and read back, as the standard library would read it.

orjson encodes the rows of a large assessment ten times faster than the standard library
(docs/performance.md). What orjson refuses (an integer past 64 bits) goes through the
standard library, which writes anything JSON can hold, so nothing storable is refused.
"""

import json
import zlib
from collections.abc import Mapping
from typing import Any

import orjson

# zlib's fastest level: 1.5 MB of a 1,000-squad document packs to a few tens of kB in
# about 2 ms; higher levels take twice as long for a quarter less.
LEVEL = 1


def _plain(value: Any) -> Any:
    """What JSON writes for a value neither encoder knows: a read-only mapping as an object."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def json_bytes(value: Any) -> bytes:
    try:
        return orjson.dumps(value, default=_plain)
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_plain).encode()


def json_text(value: Any) -> str:
    """A JSON value as compact text, as a JSON column stores it (SQLite's TEXT, or
    PostgreSQL's json read from COPY's text)."""
    return json_bytes(value).decode()


def pack_document(document: dict[str, Any]) -> bytes:
    """The archived form of an assessment document: its JSON, compressed."""
    return zlib.compress(json_bytes(document), LEVEL)


def unpack_document(packed: bytes | memoryview) -> dict[str, Any]:
    """The document pack_document archived, as it was."""
    return json_value(zlib.decompress(packed))


# orjson reads JSON several times faster than the standard library, but it reads an
# integer past 64 bits (json_bytes writes those with the standard library) as a float, where
# the standard library keeps it exact. Such an integer has 19 digits or more, so text with a
# run of 19 digits is read the standard library's way; the run is looked for with every
# digit made a "0", several times faster than a regular expression and as fast as orjson's
# reading.
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBER = b"0" * 19


def json_value(data: bytes | str) -> Any:
    """JSON text read as the standard library reads it (orjson where that is the same);
    raises ValueError when it is not JSON."""
    raw = data if isinstance(data, bytes) else data.encode(errors="surrogatepass")
    if _LONG_NUMBER not in raw.translate(_DIGITS_TO_ZERO):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # NaN, a lone surrogate...: what the standard library reads and orjson not.
    return json.loads(data)


def column_value(text: str | None) -> Any:
    """A JSON column's value, read as text, as JSONField would have decoded it: text that
    is not JSON stays text."""
    if text is None:
        return None
    try:
        return json_value(text)
    except ValueError:
        return text
