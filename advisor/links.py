"""Today's forms for the names a stored assessment mentions.

An assessment stores names, not ids (the organization may have changed since),
so the page resolves each kind of name to an id with one query, never one per
row. A name that no longer exists gets no link.
"""

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.urls import reverse

from orgs.models import Organization, Person, Squad

PRODUCT_PEOPLE_FIELD = "people.owns_roadmap"
PRODUCT_SQUADS_FIELD = "squads.engineers"


class OrganizationLinks:
    """Edit-form URLs for editors; viewers, who may not edit, get no links."""

    def __init__(
        self, organization: Organization, document: Mapping[str, Any], *, can_edit: bool
    ) -> None:
        self.slug = organization.slug
        self.organization_url = organization.get_absolute_url()
        self.can_edit = can_edit
        self.products: dict[str, int] = {}
        self.people: dict[str, int] = {}
        self.squads: dict[str, int] = {}
        self.unknown_roadmap_owners: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.squads_without_engineers: dict[str, list[tuple[str, int]]] = defaultdict(list)
        if not can_edit:
            return
        self.products = dict(organization.products.values_list("name", "id"))
        self.people = dict(organization.people.values_list("name", "id"))
        self.squads = dict(organization.squads.values_list("name", "id"))
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
        pk = self.products.get(name)
        return self._url("orgs:product_edit", pk) if pk else None

    def person(self, name: str) -> str | None:
        pk = self.people.get(name)
        return self._url("orgs:person_edit", pk) if pk else None

    def squad(self, name: str) -> str | None:
        pk = self.squads.get(name)
        return self._url("orgs:squad_edit", pk) if pk else None

    def _on_organization_page(self, product: str) -> list[tuple[str, str]]:
        """The product's squads and who serves them, where nothing is left to fill in today."""
        pk = self.products.get(product)
        if pk is None:
            return []
        return [(f"{product} on the organization page", f"{self.organization_url}#product-{pk}")]

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
