"""What a rule may hold: bounded numbers, valid text, and values described in bounded words.

A heuristic is data an admin types, or a row written behind validation; every
message about it names the value at fault without ever growing with it: a
thousand-digit number, a megabyte of text or a list nested ten thousand deep are
each described in a few words, never spelled out (and never passed to `repr`,
which recurses and refuses integers of more than 4,300 digits).
"""

import math
import unicodedata
from typing import Any

# Thresholds are counts, days and percentages: anything beyond is a typing slip,
# and a bound keeps every comparison and message small.
MAX_NUMBER = 10**9
# How much of a text a message shows.
SHOWN_CHARACTERS = 40
# Controls a multi-line text may hold.
LINE_BREAKS = frozenset("\n\r\t")


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def number_problem(value: int | float) -> str | None:
    """Why a number cannot be a threshold (NaN, infinite, beyond ±MAX_NUMBER), if it cannot."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{describe(value)} is not a finite number"
    if abs(value) > MAX_NUMBER:
        return f"{describe(value)} is out of range (at most {MAX_NUMBER:,} either way)"
    return None


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why a text cannot be stored and shown (a NUL, a control character, half of a
    surrogate pair), if it cannot. Line breaks and tabs are allowed in `multiline` text."""
    for place, char in enumerate(text):
        category = unicodedata.category(char)
        if category == "Cs":
            return f"character {place + 1} is half of a surrogate pair, not a character"
        if category == "Cc" and not (multiline and char in LINE_BREAKS):
            return f"character {place + 1} is the control character U+{ord(char):04X}"
    return None


def describe(value: Any) -> str:
    """A value in a few words for a message: short values as Python spells them, long
    text cut, huge integers by their size, lists and objects by their kind."""
    if value is None or isinstance(value, bool | float):
        return repr(value)
    if isinstance(value, int):
        if abs(value) < 10**15:
            return repr(value)
        return f"an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    if isinstance(value, str):
        if len(value) <= SHOWN_CHARACTERS:
            return repr(value)
        return f"{value[:SHOWN_CHARACTERS]!r}… ({len(value):,} characters)"
    if isinstance(value, list | tuple):
        return f"a list of {len(value):,}"
    if isinstance(value, dict):
        return f"an object of {len(value):,} keys"
    return f"a {type(value).__name__}"


def described_names(names: Any, *, most: int = 10) -> str:
    """Names for a message, `most` of them at most: `a, b, c and 7 more`."""
    names = list(names)
    shown = ", ".join(
        n if isinstance(n, str) and len(n) <= SHOWN_CHARACTERS else describe(n)
        for n in names[:most]
    )
    return shown if len(names) <= most else f"{shown} and {len(names) - most:,} more"
