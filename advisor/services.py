"""Running an assessment against the database and keeping it."""

import hashlib
import json
from datetime import date

from django.utils import timezone

from advisor.engine import Result, assess
from advisor.loading import load_snapshot
from advisor.models import AdvisorSettings, Assessment, Heuristic
from orgs.models import Organization, TitlePattern


def ruleset_version(
    heuristics: list[Heuristic], settings_row: AdvisorSettings, title_rules: tuple
) -> str:
    """A digest of everything that shapes the advice: it changes whenever any
    heuristic, title pattern or setting does, and only then."""
    content = {
        "heuristics": sorted((h.ruleset_entry() for h in heuristics), key=lambda e: e["code"]),
        "title_patterns": [[r.pattern, r.role] for r in title_rules],
        "settings": {
            "pms_per_product": str(settings_row.pms_per_product),
            "pos_per_scrum_squad": str(settings_row.pos_per_scrum_squad),
            "scope_votes_needed": settings_row.scope_votes_needed,
        },
    }
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()
    return digest[:12]


def current_ruleset_version() -> str:
    return ruleset_version(
        list(Heuristic.objects.all()), AdvisorSettings.load(), TitlePattern.objects.rules()
    )


def run_assessment(
    organization: Organization, *, as_of: date | None = None, save: bool = True, user=None
) -> tuple[Result, dict, Assessment | None]:
    """Assess the organization as of a date (today by default).

    Returns the engine's result, the assessment document (the command-line
    contract's JSON) and, when saved, the stored Assessment.
    """
    as_of = as_of or timezone.localdate()
    heuristics = list(Heuristic.objects.all())
    settings_row = AdvisorSettings.load()
    snapshot = load_snapshot(organization)
    version = ruleset_version(heuristics, settings_row, snapshot.title_rules)
    result = assess(
        snapshot, [h.to_spec() for h in heuristics], as_of=as_of, rules=settings_row.to_rules()
    )
    document = result.to_json(ruleset_version=version)
    assessment = None
    if save:
        assessment = Assessment.objects.create(
            organization=organization,
            as_of=as_of,
            created_by=user,
            ruleset_version=version,
            facts=result.facts.to_json(),
            report=document,
            verdicts={p["name"]: p["verdict"] for p in document["products"]},
            finding_count=sum(len(f) for f in result.findings_by_subject.values()),
        )
    return result, document, assessment
