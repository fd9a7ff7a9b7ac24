"""Today's forms for the subjects a stored assessment shows.

Each assessed subject keeps the id it had (advisor.models.AssessedSubject), so the page
asks, one query a kind and only for the rows it shows, which of those ids still exist in
the organization; a subject deleted since gets no link.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from django.urls import reverse

from orgs.models import Organization, Person, Squad
from orgs.views.sections import product_pages, section_url

PRODUCT_PEOPLE_FIELD = "people.owns_roadmap"
PRODUCT_SQUADS_FIELD = "squads.engineers"


class LinkedSubject(Protocol):
    """What the links read of an assessed subject: an AssessedSubject row, or the copy of it
    the assessment page keeps (advisor.assessment_cache.SubjectRef)."""

    scope: str
    name: str
    product_id: int | None
    person_id: int | None
    squad_id: int | None
    missing_facts: Sequence[Mapping[str, Any]]

    @property
    def subject_id(self) -> int | None: ...


class OrganizationLinks:
    """Edit-form URLs for editors; viewers, who may not edit, get no links.

    `subjects` are the assessed subjects to link: the rows a page shows.
    """

    def __init__(
        self, organization: Organization, subjects: Iterable[LinkedSubject], *, can_edit: bool
    ) -> None:
        self.organization = organization
        self.slug = organization.slug
        self.can_edit = can_edit
        self.products: set[int] = set()
        # Id → the page of the organization page's products section that shows it, for the
        # products whose missing facts may link there.
        self.product_pages: dict[int, int] = {}
        self.people: set[int] = set()
        self.squads: set[int] = set()
        self.unknown_roadmap_owners: dict[int, list[tuple[str, int]]] = defaultdict(list)
        self.squads_without_engineers: dict[int, list[tuple[str, int]]] = defaultdict(list)
        if not can_edit:
            return
        subjects = list(subjects)
        product_ids = {s.product_id for s in subjects if s.product_id}
        person_ids = {s.person_id for s in subjects if s.person_id}
        squad_ids = {s.squad_id for s in subjects if s.squad_id}
        if product_ids:
            self.products = set(
                organization.products.filter(pk__in=product_ids)
                .order_by()
                .values_list("pk", flat=True)
            )
        if person_ids:
            self.people = set(
                organization.people.filter(pk__in=person_ids)
                .order_by()
                .values_list("pk", flat=True)
            )
        if squad_ids:
            self.squads = set(
                organization.squads.filter(pk__in=squad_ids).order_by().values_list("pk", flat=True)
            )
        fields = {(s.product_id, m["field"]) for s in subjects for m in s.missing_facts}
        needs_people = {pk for pk, field in fields if pk and field == PRODUCT_PEOPLE_FIELD}
        needs_squads = {pk for pk, field in fields if pk and field == PRODUCT_SQUADS_FIELD}
        if needs_people or needs_squads:
            self.product_pages = product_pages(organization, needs_people | needs_squads)
        if needs_people:
            # Read from the products' squads, and the person's organization checked here
            # rather than in SQL: with it in the WHERE clause SQLite starts from the
            # organization's people and probes each of them against every squad of the
            # product, time in people x squads; from the squads, it reads each person-squad
            # link once. (The organization is a person's own, so DISTINCT is unchanged.)
            rows = (
                Person.objects.filter(
                    owns_roadmap__isnull=True,
                    squads__product_id__in=needs_people,
                )
                .values_list("squads__product_id", "name", "id", "organization_id")
                .order_by("squads__product_id", "name", "id")
                .distinct()
            )
            for product, name, pk, organization_id in rows:
                if organization_id == organization.pk:
                    self.unknown_roadmap_owners[product].append((name, pk))
        if needs_squads:
            rows = (
                Squad.objects.filter(
                    organization=organization,
                    engineers__isnull=True,
                    product_id__in=needs_squads,
                )
                .values_list("product_id", "name", "id")
                .order_by("product_id", "name", "id")
            )
            for product, name, pk in rows:
                self.squads_without_engineers[product].append((name, pk))

    def state(self) -> tuple:
        """Everything every link depends on, as plain values: the same state gives the same
        links (the assessment page keys the HTML it keeps on it)."""
        return (
            self.slug,
            self.can_edit,
            tuple(sorted(self.products)),
            tuple(sorted(self.product_pages.items())),
            tuple(sorted(self.people)),
            tuple(sorted(self.squads)),
            tuple(sorted((k, tuple(v)) for k, v in self.unknown_roadmap_owners.items() if v)),
            tuple(sorted((k, tuple(v)) for k, v in self.squads_without_engineers.items() if v)),
        )

    def _url(self, name: str, pk: int) -> str:
        return reverse(name, kwargs={"slug": self.slug, "pk": pk})

    def product(self, pk: int | None) -> str | None:
        return self._url("orgs:product_edit", pk) if pk in self.products else None

    def person(self, pk: int | None) -> str | None:
        return self._url("orgs:person_edit", pk) if pk in self.people else None

    def squad(self, pk: int | None) -> str | None:
        return self._url("orgs:squad_edit", pk) if pk in self.squads else None

    def _on_organization_page(self, subject: LinkedSubject) -> list[tuple[str, str]]:
        """The product's squads and who serves them, where nothing is left to fill in today."""
        if subject.product_id not in self.product_pages:
            return []
        page = self.product_pages[subject.product_id]
        url = section_url(
            self.organization, "products", page, anchor=f"product-{subject.product_id}"
        )
        return [(f"{subject.name} on the organization page", url)]

    def missing_fact(self, subject: LinkedSubject, field: str) -> list[tuple[str, str]]:
        """(label, URL) of each form where the missing fact is filled in."""
        if not self.can_edit:
            return []
        if field == PRODUCT_PEOPLE_FIELD:
            people = self.unknown_roadmap_owners.get(subject.product_id, [])
            links = [(name, self._url("orgs:person_edit", pk)) for name, pk in people]
            return links or self._on_organization_page(subject)
        if field == PRODUCT_SQUADS_FIELD:
            squads = self.squads_without_engineers.get(subject.product_id, [])
            links = [(f"squad {name}", self._url("orgs:squad_edit", pk)) for name, pk in squads]
            return links or self._on_organization_page(subject)
        url = {"product": self.product, "person": self.person, "squad": self.squad}[subject.scope](
            subject.subject_id
        )
        if not url:
            return []
        # To the field itself on the subject's form (its ids are "person-7-time_backlog"):
        # the first time share for "time".
        pk = subject.subject_id
        name = "time_backlog" if field == "time" else field
        return [(subject.name, f"{url}#{subject.scope}-{pk}-{name}")]
