"""Deriving a person's role from their title: an ordered list of patterns, first match wins."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from orgs.models import Role, TitlePattern

# The defaults of DOMAIN.md, in order. The data migration writes these rows;
# admins edit the rows, never this list.
DEFAULT_TITLE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\bCEO\b", Role.EXECUTIVE),
    (r"chief executive", Role.EXECUTIVE),
    (r"founder", Role.EXECUTIVE),
    (r"general manager", Role.EXECUTIVE),
    (r"product owner", Role.PRODUCT_OWNER),
    (r"\bPO\b", Role.PRODUCT_OWNER),
    (r"chief product", Role.PRODUCT_LEADER),
    (r"\bCPO\b", Role.PRODUCT_LEADER),
    (r"\bVP\b.*product|product.*\bVP\b", Role.PRODUCT_LEADER),
    (r"head of product", Role.PRODUCT_LEADER),
    (r"director.*product|product.*director", Role.PRODUCT_LEADER),
    (r"product manager", Role.PRODUCT_MANAGER),
    (r"\bPM\b", Role.PRODUCT_MANAGER),
    (r"group product", Role.PRODUCT_MANAGER),
    (r"product lead", Role.PRODUCT_MANAGER),
    (r"engineering", Role.ENGINEERING_MANAGER),
    (r"\bCTO\b", Role.ENGINEERING_MANAGER),
    (r"tech lead", Role.ENGINEERING_MANAGER),
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
    return Role.OTHER


def load_title_rules() -> tuple[TitleRule, ...]:
    """The admins' title patterns, in the order they are tried: one query."""
    return tuple(
        TitleRule(pattern, role)
        for pattern, role in TitlePattern.objects.order_by("position", "id").values_list(
            "pattern", "role"
        )
    )
