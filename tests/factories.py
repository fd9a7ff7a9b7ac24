"""Factories for every model, in one place."""

import datetime
import hashlib
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from advisor.rulesets import current_ruleset
from orgs.models import (
    Invitation,
    MemberRole,
    Membership,
    Methodology,
    Organization,
    Person,
    Product,
    Squad,
    TitlePattern,
)
from orgs.scenarios import fingerprint


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct-horse-battery")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    methodology = Methodology.SCRUM
    reassess_every_days = 90


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = MemberRole.OWNER


class InvitationFactory(factory.django.DjangoModelFactory):
    """A pending invitation whose link's token is `token` (only its hash is stored), sent
    by an owner of its organization."""

    class Meta:
        model = Invitation
        exclude = ("token",)

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = MemberRole.EDITOR
    token = factory.Sequence(lambda n: f"token-{n}")
    token_hash = factory.LazyAttribute(lambda o: hashlib.sha256(o.token.encode()).hexdigest())
    invited_by = factory.LazyAttribute(
        lambda o: MembershipFactory(organization=o.organization, role=MemberRole.OWNER).user
    )
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    markets = factory.LazyFunction(lambda: ["EU SMB"])
    personas = factory.LazyFunction(lambda: ["Merchant"])
    roadmap_updated_on = None
    last_customer_interview_on = None
    roadmap_reviews_cancelled = 0


class SquadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Squad

    product = factory.SubFactory(ProductFactory)
    organization = factory.SelfAttribute("product.organization")
    name = factory.Sequence(lambda n: f"Squad {n}")
    engineers = 5
    methodology = ""


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Person {n}")
    title = "Product Manager"
    role = ""
    owns_roadmap = None
    does_market_research = None
    sets_pricing = None

    @factory.post_generation
    def squads(self, create, extracted, **kwargs):
        if create and extracted:
            self.squads.set(extracted)


class TitlePatternFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TitlePattern

    position = factory.Sequence(lambda n: 1000 + n)
    pattern = r"\bwizard\b"
    role = "other"


class HeuristicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "advisor.Heuristic"

    code = factory.Sequence(lambda n: f"custom-{n}")
    name = factory.Sequence(lambda n: f"Custom heuristic {n}")
    scope = "product"
    condition = factory.LazyFunction(lambda: {"fact": "squads", "op": ">=", "param": "min_squads"})
    parameters = factory.LazyFunction(dict)
    outcome = "split"
    severity = "warning"
    message = "{subject} has {squads} squads."
    sources = factory.LazyFunction(
        lambda: [
            {"title": "The Role Confusion Problem", "quote": "You have 3+ squads.", "link": ""}
        ]
    )
    position = factory.Sequence(lambda n: 1000 + n)


class ParameterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "advisor.Parameter"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"custom_line_{n}")
    value = 3
    description = "A line of a custom heuristic."


class AdvisorSettingsFactory(factory.django.DjangoModelFactory):
    """The one settings row (pk 1, which the migrations create), set to the values given."""

    class Meta:
        model = "advisor.AdvisorSettings"

    pms_per_product = Decimal(1)
    pos_per_scrum_squad = Decimal(1)
    scope_votes_needed = 3

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # A second row would break the singleton constraint; the one there is takes the values.
        row, _ = model_class.objects.update_or_create(pk=1, defaults=kwargs)
        return row


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "advisor.Assessment"

    organization = factory.SubFactory(OrganizationFactory)
    as_of = datetime.date(2026, 11, 23)
    ruleset = factory.LazyFunction(current_ruleset)
    report = factory.LazyFunction(dict)


class AssessedSubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "advisor.AssessedSubject"

    assessment = factory.SubFactory(AssessmentFactory)
    scope = "product"
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Product {n}")
    verdict = "keep"


class AssessedFindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "advisor.AssessedFinding"

    subject = factory.SubFactory(AssessedSubjectFactory)
    assessment = factory.SelfAttribute("subject.assessment")
    position = factory.Sequence(lambda n: n + 1)
    heuristic = "merge-small-team"
    outcome = "merge"
    severity = "info"
    message = "One squad: one person can do both."


def build_organization(n_squads: int, *, people_per_squad: int = 3, name: str = "") -> Organization:
    """An organization of n_squads squads in n_squads // 3 + 1 products: per squad
    a product owner and people_per_squad - 1 engineers, a product manager per
    product reporting to a head of product; written with bulk_create."""
    org = OrganizationFactory(**({"name": name} if name else {}))
    n_products = n_squads // 3 + 1
    products = Product.objects.bulk_create(
        Product(
            organization=org,
            name=f"Product {i:04d}",
            markets=["EU"] if i % 2 else ["EU", "US"],
            personas=["Buyer"],
            roadmap_reviews_cancelled=i % 3,
        )
        for i in range(n_products)
    )
    squads = Squad.objects.bulk_create(
        Squad(
            organization=org,
            product=products[i % n_products],
            name=f"Squad {i:04d}",
            engineers=4 + i % 5,
            methodology="" if i % 4 else "kanban",
        )
        for i in range(n_squads)
    )
    head = Person.objects.create(organization=org, name="Head of Product", title="VP Product")
    people = []
    for p in products:
        people.append(
            Person(
                organization=org,
                name=f"PM {p.name}",
                title="Product Manager",
                reports_to=head,
                time_backlog=30 + len(people) % 30,
                time_strategy=30,
                owns_roadmap=True,
                does_market_research=True,
            )
        )
    for s in squads:
        people.append(
            Person(
                organization=org,
                name=f"PO {s.name}",
                title="Product Owner",
                time_backlog=60,
                time_ceremonies=30,
                owns_roadmap=False,
                does_market_research=False,
            )
        )
        people += [
            Person(organization=org, name=f"Engineer {s.name} {k}", title="Software Engineer")
            for k in range(people_per_squad - 1)
        ]
    people = Person.objects.bulk_create(people)
    through = Person.squads.through
    links = []
    by_name = {p.name: p for p in people}
    for s in squads:
        links.append(through(person_id=by_name[f"PM {s.product.name}"].id, squad_id=s.id))
        links.append(through(person_id=by_name[f"PO {s.name}"].id, squad_id=s.id))
        for k in range(people_per_squad - 1):
            links.append(through(person_id=by_name[f"Engineer {s.name} {k}"].id, squad_id=s.id))
    through.objects.bulk_create(links)
    return org


class RulesetVersionFactory(factory.django.DjangoModelFactory):
    """A published version with the content of today's rules (as a data change would publish)."""

    class Meta:
        model = "advisor.RulesetVersion"

    number = factory.Sequence(lambda n: 1000 + n)
    content = factory.LazyFunction(lambda: current_ruleset().content)
    digest = factory.LazyFunction(lambda: current_ruleset().digest)
    note = "Published by a test"


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "advisor.Decision"

    organization = factory.SubFactory(OrganizationFactory)
    scope = "product"
    subject_id = factory.Sequence(lambda n: n + 1)
    subject_name = factory.Sequence(lambda n: f"Product {n}")
    heuristic = "split-backlog-overload"
    status = "dismissed"
    reason = "not_applicable"


class DecisionEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "advisor.DecisionEvent"

    decision = factory.SubFactory(DecisionFactory)
    action = "dismiss"
    reason = "not_applicable"


class ScenarioFactory(factory.django.DjangoModelFactory):
    """A scenario record of an empty scenario copied from a new organization; to copy a real
    one, use orgs.scenarios.copy_organization."""

    class Meta:
        model = "orgs.Scenario"

    organization = factory.SubFactory(
        OrganizationFactory, scenario_of=factory.SubFactory(OrganizationFactory)
    )
    base = factory.LazyFunction(
        lambda: {
            "format": "team-structure-advisor/v1",
            "organization": {"name": "Live", "methodology": "scrum", "reassess_every_days": 90},
            "products": [],
            "people": [],
        }
    )
    fingerprint = factory.LazyAttribute(lambda o: fingerprint(o.base))
