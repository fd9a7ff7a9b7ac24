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
        ("note-strategy-starved", "Liam Foster"),
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
        ("note-pm-in-ceremonies", "Jenna Park"),
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
            "note-pm-in-ceremonies",
            "note-strategy-starved",
        } <= codes

    def test_only_kestrel_mutual_has_missing_facts(self, seeds):
        missing = {
            slug: sorted((m["subject"], m["fact"]) for m in assess(slug)["missing_facts"])
            for slug in VERDICTS
        }
        assert missing == {
            "fernhill-labs": [],
            "kestrel-mutual": [
                ("Broker Portal", "markets"),
                ("Broker Portal", "personas"),
                ("Olivia Grant", "backlog_share"),
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

    def test_kestrel_mutual_leaves_facts_unknown_on_purpose_and_says_so_in_words(self, seeds):
        document = assess("kestrel-mutual")
        assert sorted(m["text"] for m in document["missing_facts"]) == [
            "Broker Portal: markets not entered",
            "Broker Portal: personas not entered",
            "Olivia Grant: market research not entered",
            "Olivia Grant: time allocation not entered",
            "Policy Self-Service: last customer interview date not entered",
            "Policy Self-Service: roadmap reviews cancelled last quarter not entered",
            "Policy Self-Service: roadmap update date not entered",
        ]
        # Nothing fires on them: no note for Olivia, no merge or market split on Broker Portal.
        people = {p["name"]: p for p in document["people"]}
        assert people["Olivia Grant"]["findings"] == []
        broker = next(p for p in document["products"] if p["name"] == "Broker Portal")
        assert {f["heuristic"] for f in broker["findings"]} == {
            "split-strategy-stalled",
            "gap-product-without-roadmap-owner",
        }

    def test_the_notes_sit_at_and_past_their_thresholds(self, seeds):
        """Liam Foster's ceremonies are at 25%, the limit: no ceremonies note; Jenna Park's
        30% is past it. Both notes leave their products' verdicts as promised."""
        kestrel = {p["name"]: p for p in assess("kestrel-mutual")["people"]}
        liam = [f["heuristic"] for f in kestrel["Liam Foster"]["findings"]]
        assert sorted(liam) == ["note-strategy-starved", "retitle-pm-doing-po-work"]
        tidewater = {p["name"]: p for p in assess("tidewater-freight")["people"]}
        (note,) = tidewater["Jenna Park"]["findings"]
        assert (note["heuristic"], note["outcome"], note["evidence"]["ceremonies_share"]) == (
            "note-pm-in-ceremonies",
            "note",
            30,
        )
