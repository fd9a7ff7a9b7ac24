"""`manage.py compare`: two stored assessments, per product the verdict then and now and the
cause, as DOMAIN.md's command-line contract spells it."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.advisor.scenarios import assess, grow, set_parameter, small_payments
from tests.factories import PersonFactory, ProductFactory, SquadFactory

pytestmark = pytest.mark.django_db


def compare(*args: str) -> str:
    out = StringIO()
    call_command("compare", *args, stdout=out)
    return out.getvalue()


def compare_json(*args: str) -> dict:
    return json.loads(compare(*args, "--format", "json"))


class TestJson:
    def test_a_grown_organization_splits_because_of_the_organization(self, growth):
        before = assess(growth)
        grow(growth)
        after = assess(growth)
        document = compare_json(growth.slug)
        assert document == {
            "organization": "Growth",
            "from": {"id": before.pk, "as_of": "2026-11-23", "ruleset_version": "v1"},
            "to": {"id": after.pk, "as_of": "2026-11-23", "ruleset_version": "v1"},
            "products": [
                {
                    "name": "Payments",
                    "verdict": {"from": "merge", "to": "split"},
                    "cause": "organization",
                    "appeared": ["split-three-plus-squads", "split-backlog-overload"],
                    "resolved": ["merge-small-team"],
                    "facts": {
                        "squads": {"from": 2, "to": 4},
                        "scrum_squads": {"from": 2, "to": 4},
                        "engineers": {"from": 11, "to": 19},
                        "pm_squads": {"from": 2, "to": 4},
                        "pm_backlog_share": {"from": 35, "to": 55},
                        "merged_backlog_share": {"from": 40, "to": 145},
                    },
                    "staffing": {
                        "product_owners": {"from": 1, "to": 2},
                        "recommended_product_owners": {"from": 0, "to": 4},
                    },
                }
            ],
        }


class TestText:
    def test_names_the_cause_the_facts_and_the_people_whose_inputs_moved(self, growth):
        before = assess(growth)
        grow(growth)
        after = assess(growth)
        assert compare(growth.slug) == (
            "Growth: what changed\n"
            f"  from assessment {before.pk}, as of 2026-11-23, ruleset v1\n"
            f"  to   assessment {after.pk}, as of 2026-11-23, ruleset v1\n"
            "\n"
            "Payments: Merge → Split\n"
            "  cause: organization (the organization changed)\n"
            "  appeared: split-three-plus-squads, split-backlog-overload\n"
            "  resolved: merge-small-team\n"
            "  facts: squads 2 → 4; scrum_squads 2 → 4; engineers 11 → 19; pm_squads 2 → 4; "
            "pm_backlog_share 35% → 55%; merged_backlog_share 40% → 145%\n"
            "  staffing: product_owners 1 → 2; recommended_product_owners 0 → 4\n"
            "\n"
            "People whose inputs changed:\n"
            "  Bea Kim: backlog_share 5% → 30%; ceremonies_share 95% → 70%\n"
            "  Chen Wu: joined\n"
            "  Dana Lee: squads_served 2 → 4; backlog_share 35% → 55%; strategy_share 35% → 15%\n"
        )


class TestCause:
    def test_rules_alone_changed_the_advice(self, growth):
        assess(growth)
        set_parameter("min_squads", 2)
        assess(growth)
        (payments,) = compare_json(growth.slug)["products"]
        assert payments["verdict"] == {"from": "merge", "to": "split"}
        assert payments["cause"] == "rules"
        # One line for both: at two squads it is a split's, no longer a merge's.
        assert (payments["appeared"], payments["resolved"]) == (
            ["split-three-plus-squads"],
            ["merge-small-team"],
        )
        assert payments["facts"] == {}
        assert payments["staffing"] == {"recommended_product_owners": {"from": 0, "to": 2}}

    def test_rules_and_organization_both_changed_the_advice(self, growth):
        assess(growth)
        set_parameter("min_squads", 2)
        grow(growth)
        assess(growth)
        (payments,) = compare_json(growth.slug)["products"]
        assert (payments["verdict"], payments["cause"]) == (
            {"from": "merge", "to": "split"},
            "both",
        )

    def test_a_rule_change_that_moves_nothing_is_no_change(self, growth):
        assess(growth)
        set_parameter("min_markets", 3)
        assess(growth)
        document = compare_json(growth.slug)
        assert document["from"]["ruleset_version"] != document["to"]["ruleset_version"]
        (payments,) = document["products"]
        assert (payments["cause"], payments["appeared"], payments["resolved"]) == ("none", [], [])
        assert (payments["facts"], payments["staffing"]) == ({}, {})

    def test_the_organization_changed_but_the_newer_rules_would_have_said_the_same(self, growth):
        # The rules change first (min_squads 4 keeps Payments merged at two squads), then the
        # organization grows: the older facts under the newer rules still merge.
        assess(growth)
        set_parameter("min_squads", 5)
        grow(growth)
        assess(growth)
        (payments,) = compare_json(growth.slug)["products"]
        assert payments["verdict"] == {"from": "merge", "to": "split"}
        assert payments["cause"] == "organization"
        assert payments["appeared"] == ["split-backlog-overload"]


class TestChoosing:
    def test_by_default_the_last_two_that_are_not_projections(self, growth):
        first = assess(growth)
        second = assess(growth)
        assess(growth, as_of=timezone.localdate() + timedelta(days=30))  # a projection
        document = compare_json(growth.slug)
        assert (document["from"]["id"], document["to"]["id"]) == (first.pk, second.pk)

    def test_from_and_to_choose_any_two_projections_included(self, growth):
        first = assess(growth)
        assess(growth)
        projection = assess(growth, as_of=timezone.localdate() + timedelta(days=30))
        document = compare_json(growth.slug, "--from", str(first.pk), "--to", str(projection.pk))
        assert (document["from"]["id"], document["to"]["id"]) == (first.pk, projection.pk)

    def test_from_alone_compares_with_the_latest(self, growth):
        first = assess(growth)
        assess(growth)
        latest = assess(growth)
        document = compare_json(growth.slug, "--from", str(first.pk))
        assert (document["from"]["id"], document["to"]["id"]) == (first.pk, latest.pk)

    def test_to_alone_compares_with_the_one_before(self, growth):
        first = assess(growth)
        second = assess(growth)
        assess(growth)
        document = compare_json(growth.slug, "--to", str(second.pk))
        assert (document["from"]["id"], document["to"]["id"]) == (first.pk, second.pk)

    def test_a_product_on_one_side_only_has_null_on_the_other(self, growth):
        assess(growth)
        ProductFactory(organization=growth, name="Atlas")
        growth.products.get(name="Payments").delete()
        assess(growth)
        atlas, payments = compare_json(growth.slug)["products"]
        assert (atlas["name"], atlas["verdict"]["from"], atlas["cause"]) == (
            "Atlas",
            None,
            "organization",
        )
        assert (payments["name"], payments["verdict"], payments["cause"]) == (
            "Payments",
            {"from": "merge", "to": None},
            "organization",
        )
        assert payments["resolved"] == ["merge-small-team"]
        assert payments["staffing"]["product_managers"] == {"from": 1, "to": None}


class TestRefusals:
    @pytest.mark.parametrize("count", [0, 1])
    def test_fewer_than_two_assessments_is_a_clear_error(self, growth, count):
        for _ in range(count):
            assess(growth)
        with pytest.raises(CommandError) as error:
            compare(growth.slug)
        described = "no assessment" if count == 0 else "one assessment"
        assert str(error.value) == (
            f"{growth.slug} has {described} (projections aside): it takes two to compare"
        )

    def test_a_projection_does_not_count_toward_the_two(self, growth):
        assess(growth)
        assess(growth, as_of=timezone.localdate() + timedelta(days=1))
        with pytest.raises(CommandError, match="has one assessment"):
            compare(growth.slug)

    def test_an_id_of_another_organization_is_refused(self, growth):
        assess(growth)
        assess(growth)
        other = assess(small_payments())
        with pytest.raises(CommandError) as error:
            compare(growth.slug, "--from", str(other.pk))
        assert str(error.value) == f"--from: no assessment {other.pk} of the organization growth"

    def test_an_id_past_what_a_database_holds_is_refused(self, growth):
        assess(growth)
        with pytest.raises(CommandError) as error:
            compare(growth.slug, "--from", "9" * 25)
        assert str(error.value) == f"--from: no assessment {'9' * 25} of the organization growth"

    def test_an_id_that_is_not_a_number_exits_non_zero(self, growth):
        with pytest.raises(CommandError, match="invalid int value"):
            compare(growth.slug, "--to", "latest")

    def test_an_unknown_slug_is_refused(self, db):
        with pytest.raises(CommandError, match="no organization with the slug 'nope'"):
            compare("nope")

    def test_the_same_assessment_twice_is_refused(self, growth):
        first = assess(growth)
        assess(growth)
        with pytest.raises(CommandError, match="the same assessment"):
            compare(growth.slug, "--from", str(first.pk), "--to", str(first.pk))


class TestSize:
    @pytest.mark.parametrize("extra_products", [0, 20])
    def test_queries_do_not_grow_with_the_organization(
        self, growth, extra_products, django_assert_max_num_queries
    ):
        for i in range(extra_products):
            product = ProductFactory(organization=growth, name=f"Extra {i}")
            squad = SquadFactory(product=product, name=f"Extra squad {i}")
            PersonFactory(organization=growth, name=f"Extra PM {i}", squads=[squad])
        assess(growth)
        grow(growth)
        assess(growth)
        with django_assert_max_num_queries(8):
            document = compare_json(growth.slug)
        assert len(document["products"]) == 1 + extra_products
