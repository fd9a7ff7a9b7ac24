import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from orgs.models import Organization, Person, Role, Squad, TitlePattern, validate_name_list
from orgs.titles import DEFAULT_TITLE_PATTERNS, TitleRule, compile_pattern, role_from_title
from tests.factories import (
    OrganizationFactory,
    PersonFactory,
    ProductFactory,
    SquadFactory,
)
from tests.helpers import lose_the_slug_race


def refused_by_database(create) -> bool:
    """Whether the database refuses the write, without spoiling the test's transaction."""
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


@pytest.mark.django_db
class TestOrganizationSlug:
    def test_a_slug_taken_meanwhile_gives_the_next(self, monkeypatch):
        picked = lose_the_slug_race(monkeypatch)
        organization = Organization(name="Acme")
        organization.save()
        assert picked == ["acme", "acme-2"]
        assert organization.slug == "acme-2"

    def test_another_refusal_is_raised_not_retried(self, monkeypatch):
        picked = lose_the_slug_race(monkeypatch)
        with pytest.raises(IntegrityError), transaction.atomic():
            Organization(name="Acme", methodology="agile").save()
        assert picked == ["acme", "acme-2"]


@pytest.mark.django_db
class TestConstraints:
    def test_time_shares_over_100_together_are_refused(self):
        organization = OrganizationFactory()
        assert refused_by_database(
            lambda: PersonFactory(organization=organization, time_backlog=60, time_strategy=41)
        )
        assert not refused_by_database(
            lambda: PersonFactory(organization=organization, time_backlog=60, time_strategy=40)
        )

    def test_a_share_over_100_is_refused(self):
        assert refused_by_database(lambda: PersonFactory(time_other=101))

    def test_reporting_to_oneself_is_refused(self):
        person = PersonFactory()
        assert refused_by_database(
            lambda: Person.objects.filter(pk=person.pk).update(reports_to=person)
        )

    def test_squad_names_are_unique_across_the_organization(self):
        organization = OrganizationFactory()
        SquadFactory(product=ProductFactory(organization=organization), name="Checkout")
        other_product = ProductFactory(organization=organization)
        assert refused_by_database(lambda: SquadFactory(product=other_product, name="Checkout"))

    def test_two_organizations_may_have_squads_of_the_same_name(self):
        SquadFactory(name="Checkout")
        assert not refused_by_database(lambda: SquadFactory(name="Checkout"))
        assert Squad.objects.filter(name="Checkout").count() == 2

    def test_product_and_person_names_are_unique_in_the_organization(self):
        organization = OrganizationFactory()
        ProductFactory(organization=organization, name="Payments")
        PersonFactory(organization=organization, name="Dana Lee")
        assert refused_by_database(
            lambda: ProductFactory(organization=organization, name="Payments")
        )
        assert refused_by_database(
            lambda: PersonFactory(organization=organization, name="Dana Lee")
        )
        assert not refused_by_database(lambda: PersonFactory(name="Dana Lee"))

    def test_an_unknown_role_is_refused(self):
        assert refused_by_database(lambda: PersonFactory(role="scrum_master"))

    def test_a_squad_takes_its_products_organization(self):
        product = ProductFactory()
        squad = Squad(product=product, name="Checkout")
        squad.save()
        assert squad.organization == product.organization


@pytest.mark.django_db
class TestPersonClean:
    def test_refuses_a_reporting_loop(self):
        organization = OrganizationFactory()
        sam = PersonFactory(organization=organization, name="Sam Ortiz")
        dana = PersonFactory(organization=organization, name="Dana Lee", reports_to=sam)
        sam.reports_to = dana
        with pytest.raises(ValidationError) as e:
            sam.clean()
        assert e.value.message_dict == {
            "reports_to": [
                "Dana Lee already reports, directly or not, to Sam Ortiz: that would make a loop."
            ]
        }

    def test_refuses_a_longer_loop(self):
        organization = OrganizationFactory()
        ceo = PersonFactory(organization=organization, name="Ceo")
        vp = PersonFactory(organization=organization, name="Vp", reports_to=ceo)
        pm = PersonFactory(organization=organization, name="Pm", reports_to=vp)
        ceo.reports_to = pm
        with pytest.raises(ValidationError) as e:
            ceo.clean()
        assert e.value.message_dict == {
            "reports_to": ["Pm already reports, directly or not, to Ceo: that would make a loop."]
        }

    def test_refuses_reporting_to_oneself(self):
        person = PersonFactory()
        person.reports_to = person
        with pytest.raises(ValidationError) as e:
            person.clean()
        assert e.value.message_dict == {"reports_to": ["Nobody can report to themselves."]}

    def test_refuses_a_manager_from_another_organization(self):
        person = PersonFactory()
        person.reports_to = PersonFactory()
        with pytest.raises(ValidationError) as e:
            person.clean()
        assert e.value.message_dict == {
            "reports_to": ["The manager must belong to the same organization."]
        }

    def test_refuses_time_over_100(self):
        person = PersonFactory.build(time_backlog=70, time_ceremonies=40)
        with pytest.raises(ValidationError) as e:
            person.clean()
        assert e.value.message_dict == {
            "time_backlog": ["Time shares add up to 110%; together they may be at most 100%."]
        }

    def test_accepts_a_chain_of_managers(self):
        organization = OrganizationFactory()
        ceo = PersonFactory(organization=organization)
        vp = PersonFactory(organization=organization, reports_to=ceo)
        pm = PersonFactory(organization=organization, reports_to=vp)
        pm.clean()


class TestValidateNameList:
    def test_accepts_distinct_names(self):
        validate_name_list(["EU SMB", "US enterprise"], "markets")

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("EU SMB", "Must be a list of non-blank names."),
            (["EU", " "], "Must be a list of non-blank names."),
            (["EU", "eu "], "Names must not repeat."),
        ],
    )
    def test_refuses(self, value, message):
        with pytest.raises(ValidationError) as e:
            validate_name_list(value, "markets")
        assert e.value.message_dict == {"markets": [message]}


@pytest.mark.django_db
class TestRoleFromTitle:
    """The default title patterns, as the data migration loads them."""

    @pytest.fixture
    def rules(self) -> list[TitleRule]:
        return [TitleRule(p.pattern, p.role) for p in TitlePattern.objects.all()]

    def test_the_migration_loads_the_defaults_in_order(self, rules):
        assert rules == [TitleRule(p, str(r)) for p, r in DEFAULT_TITLE_PATTERNS]

    @pytest.mark.parametrize(
        ("title", "role"),
        [
            ("Co-founder & CEO", Role.EXECUTIVE),
            ("Chief Executive Officer", Role.EXECUTIVE),
            ("General Manager, EMEA", Role.EXECUTIVE),
            ("Senior Product Owner", Role.PRODUCT_OWNER),
            ("PO, Payments", Role.PRODUCT_OWNER),
            ("Chief Product Officer", Role.PRODUCT_LEADER),
            ("CPO", Role.PRODUCT_LEADER),
            ("VP of Product", Role.PRODUCT_LEADER),
            ("Head of Product", Role.PRODUCT_LEADER),
            ("Director of Product Management", Role.PRODUCT_LEADER),
            ("Product Director", Role.PRODUCT_LEADER),
            ("Senior Product Manager", Role.PRODUCT_MANAGER),
            ("Group Product Manager", Role.PRODUCT_MANAGER),
            ("Technical PM", Role.PRODUCT_MANAGER),
            ("Product Lead, Growth", Role.PRODUCT_MANAGER),
            ("Engineering Manager", Role.ENGINEERING_MANAGER),
            ("VP Engineering", Role.ENGINEERING_MANAGER),
            ("CTO", Role.ENGINEERING_MANAGER),
            ("Tech Lead", Role.ENGINEERING_MANAGER),
            ("Product Marketing Manager", Role.OTHER),
            ("Scrum Master", Role.OTHER),
            ("Senior UX Designer", Role.OTHER),
            ("", Role.OTHER),
        ],
    )
    def test_derives_the_role(self, rules, title, role):
        assert role_from_title(title, rules) == role

    def test_matches_case_insensitively_but_whole_words_for_acronyms(self, rules):
        assert role_from_title("senior product owner", rules) == Role.PRODUCT_OWNER
        assert role_from_title("ceo", rules) == Role.EXECUTIVE
        # "PO" inside a word is not the acronym.
        assert role_from_title("Support Specialist", rules) == Role.OTHER
        assert role_from_title("Apportionment analyst", rules) == Role.OTHER

    def test_the_first_matching_pattern_wins(self, rules):
        # "Product Owner" comes before "product manager" in the list.
        assert role_from_title("Product Owner / Product Manager", rules) == Role.PRODUCT_OWNER
        assert role_from_title("Founder & CTO", rules) == Role.EXECUTIVE


class TestTitlePatternMatcher:
    """Title patterns are matched by RE2: time linear in the title whatever the pattern."""

    def test_patterns_are_compiled_by_re2_not_a_backtracking_matcher(self):
        # Python's re took seconds on `(a+)+$` against 24 characters, four times as long
        # with every two more; an editor's typing a title runs it.
        assert type(compile_pattern(r"(a+)+$")).__module__.startswith("re2")
        assert role_from_title("a" * 199 + "!", [TitleRule(r"(a+)+$", Role.EXECUTIVE)]) == (
            Role.OTHER
        )
        assert role_from_title("a" * 200, [TitleRule(r"(a+)+$", Role.EXECUTIVE)]) == (
            Role.EXECUTIVE
        )

    @pytest.mark.parametrize(
        ("pattern", "reason"),
        [
            (r"(a)\1", "invalid escape sequence: \\1"),
            (r"(?=PM)", "invalid perl operator: (?="),
            ("PM\x00", "must not contain NUL characters"),
        ],
    )
    def test_a_pattern_re2_cannot_match_is_refused_saying_why(self, pattern, reason):
        with pytest.raises(ValidationError) as refused:
            TitlePattern(pattern=pattern, role=Role.PRODUCT_MANAGER, position=1).clean()
        (message,) = refused.value.message_dict["pattern"]
        assert reason.casefold() in message.casefold()

    def test_a_stored_pattern_re2_cannot_match_is_skipped_not_a_crash(self):
        rules = [TitleRule(r"(?=Pro)Product", Role.PRODUCT_LEADER), TitleRule("product", "other")]
        assert role_from_title("Product Manager", rules) == "other"


class TestNotEntered:
    def test_no_market_or_persona_names_are_not_entered(self):
        product = ProductFactory.build(markets=[], personas=["Merchant"])
        assert (product.markets_entered, product.personas_entered) == (False, True)

    def test_time_shares_all_zero_are_not_entered_and_one_percent_is(self):
        person = PersonFactory.build()
        assert person.time_entered is False
        person.time_other = 1
        assert person.time_entered is True
