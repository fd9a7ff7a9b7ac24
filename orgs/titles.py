"""Deriving a person's role from their title: an ordered list of patterns, first match wins.

Plain Python (no ORM), so both the organization's pages and the advisor's engine
use the one matcher; the patterns themselves are rows (`orgs.models.TitlePattern`)
that admins edit.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

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


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def role_from_title(title: str, rules: Iterable[TitleRule]) -> str:
    """The role of the first rule whose pattern occurs in the title; `other` if none does."""
    for rule in rules:
        if _compiled(rule.pattern).search(title or ""):
            return rule.role
    return OTHER
