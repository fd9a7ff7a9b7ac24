"""Today's forms for the names a stored assessment mentions.

An assessment stores names, not ids (the organization may have changed since),
so the page resolves each kind of name to an id with one query, never one per
row, and only the names of the rows it shows. A name that no longer exists gets
no link.
"""

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.urls import reverse

from orgs.models import Organization, Person, Squad
from orgs.views.sections import product_pages, section_url

PRODUCT_PEOPLE_FIELD = "people.owns_roadmap"
PRODUCT_SQUADS_FIELD = "squads.engineers"


def named(document: Mapping[str, Any], kind: str, scope: str) -> set[str]:
    """The names of a kind the document lists, and the subjects of that scope's missing facts."""
    names = {row["name"] for row in document.get(kind, [])}
    return names | {m["subject"] for m in document.get("missing_facts", []) if m["scope"] == scope}


class OrganizationLinks:
    """Edit-form URLs for editors; viewers, who may not edit, get no links.

    `document` holds the rows to link (a whole assessment document, or the part of
    it a page shows): products, people, squads and missing facts.
    """

    def __init__(
        self, organization: Organization, document: Mapping[str, Any], *, can_edit: bool
    ) -> None:
        self.organization = organization
        self.slug = organization.slug
        self.can_edit = can_edit
        # Name → (id, the page of the organization page's products section that shows it).
        self.products: dict[str, tuple[int, int]] = {}
        self.people: dict[str, int] = {}
        self.squads: dict[str, int] = {}
        self.unknown_roadmap_owners: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.squads_without_engineers: dict[str, list[tuple[str, int]]] = defaultdict(list)
        if not can_edit:
            return
        self.products = product_pages(organization, named(document, "products", "product"))
        self.people = dict(
            organization.people.filter(name__in=named(document, "people", "person")).values_list(
                "name", "id"
            )
        )
        self.squads = dict(
            organization.squads.filter(name__in=named(document, "squads", "squad")).values_list(
                "name", "id"
            )
        )
        missing = document.get("missing_facts", [])
        needs_people = {m["subject"] for m in missing if m["field"] == PRODUCT_PEOPLE_FIELD}
        needs_squads = {m["subject"] for m in missing if m["field"] == PRODUCT_SQUADS_FIELD}
        if needs_people:
            rows = (
                Person.objects.filter(
                    organization=organization,
                    owns_roadmap__isnull=True,
                    squads__product__name__in=needs_people,
                )
                .values_list("squads__product__name", "name", "id")
                .order_by("squads__product__name", "name", "id")
                .distinct()
            )
            for product, name, pk in rows:
                self.unknown_roadmap_owners[product].append((name, pk))
        if needs_squads:
            rows = (
                Squad.objects.filter(
                    organization=organization,
                    engineers__isnull=True,
                    product__name__in=needs_squads,
                )
                .values_list("product__name", "name", "id")
                .order_by("product__name", "name", "id")
            )
            for product, name, pk in rows:
                self.squads_without_engineers[product].append((name, pk))

    def _url(self, name: str, pk: int) -> str:
        return reverse(name, kwargs={"slug": self.slug, "pk": pk})

    def product(self, name: str) -> str | None:
        pk, _ = self.products.get(name, (None, None))
        return self._url("orgs:product_edit", pk) if pk else None

    def person(self, name: str) -> str | None:
        pk = self.people.get(name)
        return self._url("orgs:person_edit", pk) if pk else None

    def squad(self, name: str) -> str | None:
        pk = self.squads.get(name)
        return self._url("orgs:squad_edit", pk) if pk else None

    def _on_organization_page(self, product: str) -> list[tuple[str, str]]:
        """The product's squads and who serves them, where nothing is left to fill in today."""
        if product not in self.products:
            return []
        pk, page = self.products[product]
        url = section_url(self.organization, "products", page, anchor=f"product-{pk}")
        return [(f"{product} on the organization page", url)]

    def missing_fact(self, scope: str, subject: str, field: str) -> list[tuple[str, str]]:
        """(label, URL) of each form where the missing fact is filled in."""
        if not self.can_edit:
            return []
        if field == PRODUCT_PEOPLE_FIELD:
            people = self.unknown_roadmap_owners.get(subject, [])
            links = [(name, self._url("orgs:person_edit", pk)) for name, pk in people]
            return links or self._on_organization_page(subject)
        if field == PRODUCT_SQUADS_FIELD:
            squads = self.squads_without_engineers.get(subject, [])
            links = [(f"squad {name}", self._url("orgs:squad_edit", pk)) for name, pk in squads]
            return links or self._on_organization_page(subject)
        url = {"product": self.product, "person": self.person, "squad": self.squad}[scope](subject)
        return [(subject, url)] if url else []
