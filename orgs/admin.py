"""The admin for organizations: site admins fix data and tune the title patterns here.

Every changelist loads its related rows with list_select_related and counts with
one annotation, so a page costs the same number of queries however many rows it
shows. An organization never changes under a product, squad or person once they
exist: squads and people are tied to it in ways a move would break.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from orgs.forms import ProductForm
from orgs.models import (
    TIME_BUCKETS,
    Membership,
    Organization,
    Person,
    Product,
    Squad,
    TitlePattern,
    mark_changed,
)


def _count_per_organization(model) -> Coalesce:
    """How many rows of `model` each organization has, as a subquery (no row-multiplying joins)."""
    counts = (
        model.objects.filter(organization=OuterRef("pk"))
        .order_by()
        .values("organization")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


class MarksOrganizationChanged:
    """Deleting several rows at once marks their organizations changed, as deleting one
    does (Organization.changed_at)."""

    def delete_queryset(self, request, queryset) -> None:
        organization_ids = set(queryset.values_list("organization_id", flat=True))
        super().delete_queryset(request, queryset)
        for organization_id in organization_ids:
            mark_changed(organization_id)


class OrganizationFixedOnChange(MarksOrganizationChanged):
    """Organization is chosen when a row is added and shown read-only afterwards."""

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "organization") if obj is not None else readonly


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "methodology",
        "reassess_every_days",
        "product_count",
        "person_count",
        "updated_at",
    )
    list_filter = ("methodology",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")
    inlines = (MembershipInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                product_count=_count_per_organization(Product),
                person_count=_count_per_organization(Person),
            )
        )

    @admin.display(description="products", ordering="product_count")
    def product_count(self, obj: Organization) -> int:
        return obj.product_count

    @admin.display(description="people", ordering="person_count")
    def person_count(self, obj: Organization) -> int:
        return obj.person_count


class SquadForm(forms.ModelForm):
    """Checks the organization-wide squad name that the form alone cannot see.

    The unique constraint is on (organization, name), and organization is not a
    form field (it follows the product), so Django's own check skips it.
    """

    class Meta:
        model = Squad
        fields = ("product", "name", "engineers", "methodology")

    def clean(self):
        cleaned = super().clean()
        product, name = cleaned.get("product"), cleaned.get("name")
        if product is None or not name:
            return cleaned
        if (
            self.instance.pk is not None
            and product.organization_id != self.instance.organization_id
        ):
            self.add_error("product", "A squad cannot move to another organization's product.")
        elif (
            Squad.objects.filter(organization_id=product.organization_id, name=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("name", f'The organization already has a squad named "{name}".')
        return cleaned


class SquadInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            name = form.cleaned_data.get("name")
            if name in seen:
                raise ValidationError(f'Two squads are named "{name}".')
            if name:
                seen.add(name)


class SquadInline(admin.TabularInline):
    model = Squad
    form = SquadForm
    formset = SquadInlineFormSet
    extra = 0
    fields = ("name", "engineers", "methodology")
    show_change_link = True


class ProductAdminForm(forms.ModelForm):
    """The organization's own product form's fields, and the organization: markets and
    personas as names one per line, each checked (no control character, none twice),
    never JSON typed by hand (which let a NUL, a lone surrogate or a list nested thousands
    deep through to the database)."""

    markets = ProductForm.base_fields["markets"]
    personas = ProductForm.base_fields["personas"]

    class Meta:
        model = Product
        fields = ("organization", *ProductForm.Meta.fields)


@admin.register(Product)
class ProductAdmin(OrganizationFixedOnChange, admin.ModelAdmin):
    form = ProductAdminForm
    list_display = (
        "name",
        "organization",
        "squad_count",
        "roadmap_updated_on",
        "last_customer_interview_on",
        "roadmap_reviews_cancelled",
    )
    list_filter = ("organization",)
    list_select_related = ("organization",)
    search_fields = ("name", "organization__name")
    autocomplete_fields = ("organization",)
    readonly_fields = ("created_at", "updated_at")
    inlines = (SquadInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(squad_count=Count("squads"))

    @admin.display(description="squads", ordering="squad_count")
    def squad_count(self, obj: Product) -> int:
        return obj.squad_count


@admin.register(Squad)
class SquadAdmin(MarksOrganizationChanged, admin.ModelAdmin):
    form = SquadForm
    list_display = ("name", "product", "organization", "engineers", "methodology", "person_count")
    list_filter = ("methodology", "organization")
    list_select_related = ("product", "organization")
    search_fields = ("name", "product__name", "organization__name")
    autocomplete_fields = ("product",)
    readonly_fields = ("organization", "created_at", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(person_count=Count("people"))

    @admin.display(description="people", ordering="person_count")
    def person_count(self, obj: Squad) -> int:
        return obj.person_count


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = (
            "organization",
            "name",
            "title",
            "role",
            "reports_to",
            "squads",
            *(f"time_{b}" for b in TIME_BUCKETS),
            "owns_roadmap",
            "does_market_research",
            "sets_pricing",
        )

    def clean(self):
        cleaned = super().clean()
        organization = cleaned.get("organization") or getattr(self.instance, "organization", None)
        squads = cleaned.get("squads")
        if organization is not None and squads is not None:
            foreign = sorted(s.name for s in squads if s.organization_id != organization.pk)
            if foreign:
                self.add_error("squads", f"Not squads of {organization}: {', '.join(foreign)}.")
        return cleaned


@admin.register(Person)
class PersonAdmin(OrganizationFixedOnChange, admin.ModelAdmin):
    form = PersonForm
    list_display = (
        "name",
        "organization",
        "title",
        "role_shown",
        "reports_to",
        "squad_count",
        "time_total",
    )
    list_filter = ("role", "organization", "owns_roadmap", "does_market_research")
    list_select_related = ("organization", "reports_to")
    search_fields = ("name", "title", "organization__name")
    autocomplete_fields = ("organization", "reports_to", "squads")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("organization", "name", "title", "role", "reports_to", "squads")}),
        (
            "Time allocation (%)",
            {
                "fields": (
                    ("time_backlog", "time_strategy", "time_discovery"),
                    ("time_stakeholders", "time_ceremonies", "time_other"),
                )
            },
        ),
        ("Responsibilities", {"fields": ("owns_roadmap", "does_market_research", "sets_pricing")}),
        ("History", {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(squad_count=Count("squads"))

    @admin.display(description="role", ordering="role")
    def role_shown(self, obj: Person) -> str:
        return obj.get_role_display() or "(from title)"

    @admin.display(description="squads", ordering="squad_count")
    def squad_count(self, obj: Person) -> int:
        return obj.squad_count

    @admin.display(description="time %")
    def time_total(self, obj: Person) -> int:
        return obj.time_total


@admin.register(TitlePattern)
class TitlePatternAdmin(admin.ModelAdmin):
    list_display = ("__str__", "position", "pattern", "role")
    list_display_links = ("__str__",)
    list_editable = ("position", "pattern", "role")
    list_filter = ("role",)
    search_fields = ("pattern",)
    ordering = ("position", "id")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("organization", "user", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("organization", "user")
    search_fields = ("organization__name", "user__username", "user__email")
    autocomplete_fields = ("organization", "user")
