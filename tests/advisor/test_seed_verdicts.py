"""The demo organizations in seeds/ say, as of 2026-11-23, exactly what seeds/README.md promises."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

AS_OF = "2026-11-23"

VERDICTS = {
    "fernhill-labs": {"Roastlog": "merge"},
    "kestrel-mutual": {
        "Broker Portal": "split",
        "Kestrel Pet": "merge",
        "Policy Self-Service": "split",
    },
    "lumen-health": {
        "Care Analytics": "split",
        "Clinic Portal": "keep",
        # Its product owner's backlog work would put one person at 75%: merge would not hold.
        "Lumen Connect": "keep",
        "Patient App": "split",
    },
    "parcelbird": {
        "Merchant Dashboard": "split",
        "Returns": "split",
        "Shipping API": "keep",
    },
    "tidewater-freight": {
        "Carrier Portal": "pm_only",
        "Yard Management": "pm_only",
    },
}

# (heuristic code, subject name) for every finding on a product, person or squad.
FINDINGS = {
    "fernhill-labs": {
        ("merge-small-team", "Roastlog"),
        ("retitle-po-doing-pm-work", "Maya Okafor"),
    },
    "kestrel-mutual": {
        ("split-three-plus-squads", "Policy Self-Service"),
        ("split-backlog-overload", "Policy Self-Service"),
        ("split-strategy-stalled", "Broker Portal"),
        ("gap-product-without-roadmap-owner", "Broker Portal"),
        ("merge-small-team", "Kestrel Pet"),
        ("retitle-pm-doing-po-work", "Liam Foster"),
        ("gap-squad-without-backlog-owner", "Claims Intake"),
    },
    "lumen-health": {
        ("split-three-plus-squads", "Patient App"),
        ("split-backlog-overload", "Patient App"),
        ("split-strategy-stalled", "Patient App"),
        ("split-multiple-markets", "Care Analytics"),
    },
    "parcelbird": {
        ("split-three-plus-squads", "Merchant Dashboard"),
        ("split-three-plus-squads", "Returns"),
    },
    "tidewater-freight": {
        ("no-po-without-scrum", "Carrier Portal"),
        ("no-po-without-scrum", "Yard Management"),
        ("split-strategy-stalled", "Yard Management"),
        ("merge-small-team", "Yard Management"),
        ("gap-product-without-roadmap-owner", "Yard Management"),
    },
}


@pytest.fixture
def seeds(db) -> None:
    call_command("load_seeds", stdout=StringIO())


def assess(slug: str) -> dict:
    out = StringIO()
    call_command("assess", slug, "--as-of", AS_OF, "--format", "json", "--no-save", stdout=out)
    return json.loads(out.getvalue())


def findings_of(document: dict) -> set[tuple[str, str]]:
    return {
        (finding["heuristic"], subject["name"])
        for kind in ("products", "people", "squads")
        for subject in document[kind]
        for finding in subject["findings"]
    }


class TestSeedVerdicts:
    @pytest.mark.parametrize("slug", VERDICTS)
    def test_every_product_gets_the_promised_verdict(self, seeds, slug):
        document = assess(slug)
        assert {p["name"]: p["verdict"] for p in document["products"]} == VERDICTS[slug]

    @pytest.mark.parametrize("slug", FINDINGS)
    def test_exactly_the_promised_findings(self, seeds, slug):
        assert findings_of(assess(slug)) == FINDINGS[slug]

    def test_seeds_show_every_verdict_and_finding_kind(self):
        verdicts = {v for products in VERDICTS.values() for v in products.values()}
        codes = {code for findings in FINDINGS.values() for code, _ in findings}
        assert verdicts == {"merge", "split", "pm_only", "keep"}
        assert {
            "retitle-pm-doing-po-work",
            "retitle-po-doing-pm-work",
            "gap-squad-without-backlog-owner",
            "gap-product-without-roadmap-owner",
        } <= codes

    def test_only_kestrel_mutual_has_missing_facts(self, seeds):
        missing = {
            slug: sorted((m["subject"], m["fact"]) for m in assess(slug)["missing_facts"])
            for slug in VERDICTS
        }
        assert missing == {
            "fernhill-labs": [],
            "kestrel-mutual": [
                ("Olivia Grant", "does_market_research"),
                ("Policy Self-Service", "interview_age_days"),
                ("Policy Self-Service", "reviews_cancelled"),
                ("Policy Self-Service", "roadmap_age_days"),
            ],
            "lumen-health": [],
            "parcelbird": [],
            "tidewater-freight": [],
        }

    def test_olivia_grant_has_no_scope_role_without_her_research_fact(self, seeds):
        people = {p["name"]: p for p in assess("kestrel-mutual")["people"]}
        assert people["Olivia Grant"]["role"] == "product_manager"
        assert people["Olivia Grant"]["scope_role"] is None
