"""The advisor's engine: plain Python, no ORM, no request.

It takes an organization's snapshot and a ruleset (heuristics and staffing rules)
and returns findings, a verdict and a staffing plan per product. The Django side
(`advisor.loading`, `advisor.services`, the pages) sits around it; an
import-linter contract in pyproject.toml keeps it that way.

    snapshot → facts (facts.py) → findings (evaluation.py, conditions.py)
             → verdicts and plans (plan.py) → Result (result.py)
"""

from advisor.engine.evaluation import Finding, HeuristicSpec, heuristic_problems
from advisor.engine.judging import Judgement, judge_products
from advisor.engine.plan import StaffingRules, verdict_of
from advisor.engine.result import Result, assess

__all__ = [
    "Finding",
    "HeuristicSpec",
    "Judgement",
    "Result",
    "StaffingRules",
    "assess",
    "heuristic_problems",
    "judge_products",
    "verdict_of",
]
