"""Deriving a person's role from their title: an ordered list of patterns, first match wins.

Plain Python (no ORM), so both the organization's pages and the advisor's engine
use the one matcher; the patterns themselves are rows (`orgs.models.TitlePattern`)
that admins edit.

Patterns are matched by RE2 (google-re2), not Python's `re`: its time is linear in the
title whatever the pattern, where `re` backtracks, and a pattern such as `(a+)+$` took
seconds on a title of 24 characters and grew fourfold with every two more, on a request
any editor can make as they type a title. RE2 has no backreferences or lookaround, which
a title pattern does not need; a pattern it cannot compile is refused where an admin
writes it, and skipped (never matched) if one is stored from before. One difference from
`re`: RE2's `\b` is a boundary between ASCII word characters and the rest.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import re2

# The role of a title no pattern matches.
OTHER = "other"

# The defaults of DOMAIN.md, in order. The data migration writes these rows;
# admins edit the rows, never this list.
DEFAULT_TITLE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\bCEO\b", "executive"),
    (r"chief executive", "executive"),
    (r"founder", "executive"),
    (r"general manager", "executive"),
    (r"product owner", "product_owner"),
    (r"\bPO\b", "product_owner"),
    (r"chief product", "product_leader"),
    (r"\bCPO\b", "product_leader"),
    (r"\bVP\b.*product|product.*\bVP\b", "product_leader"),
    (r"head of product", "product_leader"),
    (r"director.*product|product.*director", "product_leader"),
    (r"product manager", "product_manager"),
    (r"\bPM\b", "product_manager"),
    (r"group product", "product_manager"),
    (r"product lead", "product_manager"),
    (r"engineering", "engineering_manager"),
    (r"\bCTO\b", "engineering_manager"),
    (r"tech lead", "engineering_manager"),
)


@dataclass(frozen=True)
class TitleRule:
    pattern: str
    role: str


class TitlePatternError(ValueError):
    """A pattern the matcher cannot use; the message says why, in words."""


def _options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # refused patterns are said to whoever wrote them
    return options


_OPTIONS = _options()


def compile_pattern(pattern: str) -> "re2._Regexp":
    """The pattern compiled for matching titles, case aside; TitlePatternError if it
    cannot be (not a regular expression, or one RE2 cannot match in linear time)."""
    if "\x00" in pattern:
        raise TitlePatternError("must not contain NUL characters")
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as e:
        reason = e.args[0] if e.args else "not valid"
        if isinstance(reason, bytes):
            reason = reason.decode(errors="replace")
        raise TitlePatternError(
            f"not a regular expression the matcher can use ({reason}); backreferences and "
            "lookaround are not supported"
        ) from None


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> "re2._Regexp | None":
    try:
        return compile_pattern(pattern)
    except TitlePatternError:
        return None


def role_from_title(title: str, rules: Iterable[TitleRule]) -> str:
    """The role of the first rule whose pattern occurs in the title; `other` if none does.
    A stored pattern the matcher cannot use never matches."""
    for rule in rules:
        compiled = _compiled(rule.pattern)
        if compiled is not None and compiled.search(title or ""):
            return rule.role
    return OTHER
