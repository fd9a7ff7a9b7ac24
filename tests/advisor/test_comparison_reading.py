"""The comparison reads its rows as columns and their JSON as text it decodes itself
(advisor.comparison): what it says is what JSONField's decoding would have said."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.comparison import compare_assessments
from advisor.jsonio import column_value
from advisor.models import AssessedSubject
from advisor.recording import assessment_rows, record_assessment
from advisor.rulesets import current_ruleset, parsed_ruleset
from tests.advisor.builders import AS_OF, person, product, run, snapshot, squad
from tests.advisor.scenarios import set_parameter


def stored(snap, organization):
    """The snapshot assessed by the current ruleset version and kept."""
    version = current_ruleset()
    ruleset = parsed_ruleset(version)
    result = run(snap, ruleset.heuristics, ruleset.staffing)
    document = result.to_json(ruleset_version=version.label)
    return record_assessment(
        organization, assessment_rows(result, document), version=version, as_of=AS_OF
    )


def products(count: int, backlog: int = 55):
    """`count` products of one squad each, each with its product manager."""
    return snapshot(
        products=[product(f"Product {n:02}", n + 1) for n in range(count)],
        squads=[squad(f"Squad {n:02}", n + 1, product_id=n + 1) for n in range(count)],
        people=[
            person(
                f"PM {n:02}",
                n + 1,
                squad_ids=(n + 1,),
                time={"backlog": backlog},
                owns_roadmap=True,
            )
            for n in range(count)
        ],
    )


def strict(value):
    """A value told apart from any other: 1 from 1.0 and True, whatever the nesting."""
    return repr(value)


class TestDecoded:
    @pytest.mark.parametrize(
        "text",
        [
            '{"share":0.55,"squads":3,"owns":true,"name":"Zoë","none":null,"list":[1,"a"]}',
            # Integers past 64 bits, which orjson would read as floats.
            "123456789012345678901234567890",
            "-9223372036854775809",
            "18446744073709551616",
            '{"n":[12345678901234567890123]}',
            # At the edges of 64 bits and long mantissas: exact either way.
            "[9223372036854775807,-9223372036854775808,18446744073709551615]",
            "0.12345678901234567890123",
            # What only the standard library reads.
            "NaN",
            "[Infinity,-Infinity]",
            "1e400",
            '"\\ud800"',
        ],
    )
    def test_reads_what_the_standard_library_reads(self, text):
        assert strict(column_value(text)) == strict(json.loads(text))

    def test_text_that_is_not_json_is_kept_as_it_is_and_sql_null_is_none(self):
        assert column_value("{not json") == "{not json"
        assert column_value(None) is None

    @given(
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(),
            lambda children: st.lists(children) | st.dictionaries(st.text(), children),
            max_leaves=20,
        )
    )
    def test_any_json_value(self, value):
        for text in (json.dumps(value), json.dumps(value, ensure_ascii=False)):
            assert strict(column_value(text)) == strict(json.loads(text))


@pytest.mark.django_db
class TestComparingStoredFacts:
    def test_facts_past_the_catalogue_come_last_by_name_and_large_integers_stay_exact(
        self, organization
    ):
        before = stored(products(1), organization)
        after = stored(products(1), organization)
        rows = AssessedSubject.objects.filter(scope="product")
        facts = rows.get(assessment=before).facts
        rows.filter(assessment=before).update(facts=facts | {"zeta": 2**70 + 1})
        rows.filter(assessment=after).update(facts=facts | {"zeta": 2**70, "alpha": 1})
        (change,) = compare_assessments(before, after).products
        assert [(m.name, m.before, m.after) for m in change.facts] == [
            ("alpha", None, 1),
            ("zeta", 2**70 + 1, 2**70),
        ]

    def test_the_same_facts_written_in_another_order_did_not_move(self, organization):
        before = stored(products(2), organization)
        after = stored(products(2), organization)
        for row in AssessedSubject.objects.filter(assessment=after):
            row.facts = dict(reversed(row.facts.items()))
            row.save(update_fields=["facts"])
        comparison = compare_assessments(before, after)
        assert comparison.people == ()
        assert [(p.facts, p.staffing) for p in comparison.products] == [((), ()), ((), ())]

    def test_moved_facts_in_the_catalogues_order(self, organization):
        before = stored(products(1, backlog=55), organization)
        after = stored(products(1, backlog=30), organization)
        comparison = compare_assessments(before, after)
        (change,) = comparison.products
        (pm,) = comparison.people
        assert [m.name for m in change.facts] == ["pm_backlog_share", "merged_backlog_share"]
        assert [(m.name, m.before, m.after) for m in pm.moves] == [("backlog_share", 55, 30)]


@pytest.mark.django_db
class TestQueries:
    @pytest.mark.parametrize("count", [3, 30])
    def test_across_ruleset_versions_five_queries_at_most_whatever_the_sizes(
        self, organization, count, django_assert_max_num_queries
    ):
        before = stored(products(count), organization)
        set_parameter("max_backlog_share", 60)
        after = stored(products(count), organization)
        # Four, and the newer version's document the first time it is parsed.
        with django_assert_max_num_queries(5):
            comparison = compare_assessments(before, after)
        assert comparison.ruleset_changed
        assert {p.cause for p in comparison.products} == {"rules"}
