"""JSON as an assessment stores it: compact text in its rows' JSON columns, and its
archived document compressed.

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
    PostgreSQL's jsonb read from COPY's text)."""
    return json_bytes(value).decode()


def pack_document(document: dict[str, Any]) -> bytes:
    """The archived form of an assessment document: its JSON, compressed."""
    return zlib.compress(json_bytes(document), LEVEL)


def unpack_document(packed: bytes | memoryview) -> dict[str, Any]:
    """The document pack_document archived, as it was."""
    return orjson.loads(zlib.decompress(packed))
