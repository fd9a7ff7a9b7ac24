"""Organizations that change between assessments, for the history, compare and trends tests.

Payments starts small (two Scrum squads, Dana Lee its PM at 35% backlog, Bea Kim its PO at
5%, so one person doing both would carry 40%): merge. It then grows to four squads with a
second PO, Dana's backlog share rises to 55% and Bea takes on more, 30%: split, because of
the organization.

Also the advisor tests' shared steps: assessing, an admin's validated edit of a parameter or
a heuristic, the latest ruleset version, and a finding with the URLs of its assessment.
"""

from datetime import date

from orgs.models import Organization, Person
from tests.factories import OrganizationFactory, PersonFactory, ProductFactory, SquadFactory

AS_OF = date(2026, 11, 23)
RECENT = date(2026, 11, 1)


def small_payments(organization: Organization | None = None) -> Organization:
    """Payments with Checkout and Billing: merge (two squads, one market, one persona)."""
    organization = organization or OrganizationFactory(name="Growth")
    payments = ProductFactory(
        organization=organization,
        name="Payments",
        markets=["EU SMB"],
        personas=["Merchant"],
        roadmap_updated_on=RECENT,
        last_customer_interview_on=RECENT,
    )
    checkout = SquadFactory(product=payments, name="Checkout", engineers=6)
    billing = SquadFactory(product=payments, name="Billing", engineers=5)
    sam = PersonFactory(organization=organization, name="Sam Ortiz", title="CEO")
    PersonFactory(
        organization=organization,
        name="Dana Lee",
        title="Product Manager",
        reports_to=sam,
        squads=[checkout, billing],
        time_backlog=35,
        time_strategy=35,
        time_discovery=15,
        time_stakeholders=10,
        time_ceremonies=5,
        owns_roadmap=True,
        does_market_research=True,
    )
    bea = PersonFactory(
        organization=organization,
        name="Bea Kim",
        title="Product Owner",
        squads=[checkout],
        time_backlog=5,
        time_ceremonies=95,
        owns_roadmap=False,
        does_market_research=False,
    )
    bea.reports_to = Person.objects.get(organization=organization, name="Dana Lee")
    bea.save()
    return organization


def grow(organization: Organization) -> None:
    """Payments grows to four squads; Chen Wu joins as a second PO; Dana's backlog share
    rises to 55%, Bea's to 30%."""
    payments = organization.products.get(name="Payments")
    ledger = SquadFactory(product=payments, name="Ledger", engineers=4)
    risk = SquadFactory(product=payments, name="Risk", engineers=4)
    dana = organization.people.get(name="Dana Lee")
    dana.time_backlog, dana.time_strategy = 55, 15
    dana.save()
    dana.squads.add(ledger, risk)
    bea = organization.people.get(name="Bea Kim")
    bea.time_backlog, bea.time_ceremonies = 30, 70
    bea.save()
    PersonFactory(
        organization=organization,
        name="Chen Wu",
        title="Product Owner",
        reports_to=dana,
        squads=[organization.squads.get(name="Billing")],
        time_backlog=60,
        time_ceremonies=40,
        owns_roadmap=False,
        does_market_research=False,
    )


def assessed_acme() -> Organization:
    """Acme's Payments: three Scrum squads and a PM who owns the roadmap; assessed (split)."""
    from advisor.services import run_assessment

    org = OrganizationFactory(name="Acme")
    payments = ProductFactory(organization=org, name="Payments")
    squads = [SquadFactory(product=payments, name=n) for n in ("Checkout", "Billing", "Fraud")]
    PersonFactory(
        organization=org,
        name="Dana Lee",
        title="Product Manager",
        squads=squads,
        time_backlog=30,
        time_strategy=30,
        owns_roadmap=True,
    )
    run_assessment(org, as_of=AS_OF)
    return org


def assess(organization: Organization, as_of: date = AS_OF):
    """The organization assessed and saved; its Assessment."""
    from advisor.services import run_assessment

    return run_assessment(organization, as_of=as_of)[2]


def latest_version():
    """The ruleset version published last, with its document."""
    from advisor.models import RulesetVersion

    return RulesetVersion.objects.order_by("-number").first()


def set_parameter(name: str, value):
    """An admin's edit of the ruleset's parameter, validated: it publishes a new version."""
    from advisor.models import Parameter

    parameter = Parameter.objects.get(name=name)
    parameter.value = value
    parameter.full_clean()
    parameter.save()
    return parameter


def edit(code: str, **fields):
    """An admin's edit of a heuristic's fields, validated: it publishes a new version."""
    from advisor.models import Heuristic

    heuristic = Heuristic.objects.get(code=code)
    for name, value in fields.items():
        setattr(heuristic, name, value)
    heuristic.full_clean()
    heuristic.save()
    return heuristic


def finding(assessment, heuristic: str, subject: str = "Payments"):
    """The assessment's finding of the heuristic about the subject, with its subject and
    assessment."""
    from advisor.models import AssessedFinding

    return AssessedFinding.objects.select_related("subject", "assessment").get(
        assessment=assessment, heuristic=heuristic, subject__name=subject
    )


def detail_url(assessment, query: str = "") -> str:
    """The assessment's page, with the query string if one is given."""
    url = assessment.get_absolute_url()
    return f"{url}?{query}" if query else url


def decide_url(assessment, finding, name: str = "advisor:decide") -> str:
    """The URL that decides the finding (or, by name, reopens its decision)."""
    from django.urls import reverse

    return reverse(name, args=[assessment.organization.slug, assessment.pk, finding.pk])


def overload_managers(organization, *, even: bool) -> None:
    """Every other product manager (by name) at 70% backlog and 10% strategy, the others the
    other way round: split-backlog-overload and note-strategy-starved on the heavy ones."""
    managers = organization.people.filter(title="Product Manager").order_by("name")
    for i, manager in enumerate(managers):
        heavy = (i % 2 == 0) == even
        manager.time_backlog, manager.time_strategy = (70, 10) if heavy else (10, 70)
        manager.save()
