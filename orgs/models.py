"""The organization model: organizations, products, squads, people and who may see them."""

import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.db.models.lookups import LessThanOrEqual
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from orgs.titles import TitlePatternError, TitleRule, compile_pattern

# Unicode's control characters (category Cc): tabs, newlines, escapes, NUL and the C1 set.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def refuse_control_characters(value: str) -> None:
    """Names and titles are shown on one line: no tab, newline or other control character
    (the import refuses them too, so what a form saves exports and imports again)."""
    found = CONTROL_CHARACTERS.search(value)
    if found is not None:
        raise ValidationError(
            "Must not contain control characters: U+%(code)s at character %(place)s.",
            code="control_character",
            params={"code": f"{ord(found.group()):04X}", "place": found.start() + 1},
        )


class Methodology(models.TextChoices):
    SCRUM = "scrum", "Scrum"
    KANBAN = "kanban", "Kanban"
    OTHER = "other", "Other"
    NONE = "none", "None"


class Role(models.TextChoices):
    EXECUTIVE = "executive", "Executive"
    PRODUCT_LEADER = "product_leader", "Product leader"
    PRODUCT_MANAGER = "product_manager", "Product manager"
    PRODUCT_OWNER = "product_owner", "Product owner"
    ENGINEERING_MANAGER = "engineering_manager", "Engineering manager"
    OTHER = "other", "Other"


# The time-allocation buckets, in the order DOMAIN.md and the interchange use.
TIME_BUCKETS = ("backlog", "strategy", "discovery", "stakeholders", "ceremonies", "other")


class OrganizationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OrganizationQuerySet":
        """Organizations the user is a member of (any role)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)

    def live(self) -> "OrganizationQuerySet":
        """Organizations of their own: no what-if scenario (orgs.scenarios). What lists,
        schedules and counts organizations' advice reads."""
        return self.filter(scenario_of__isnull=True)


class Organization(models.Model):
    name = models.CharField(max_length=200, validators=[refuse_control_characters])
    slug = models.SlugField(max_length=220, unique=True)
    methodology = models.CharField(
        max_length=10, choices=Methodology.choices, default=Methodology.SCRUM
    )
    reassess_every_days = models.PositiveIntegerField(
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text="How often to re-assess, in days.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A what-if scenario is a copy of a live organization (orgs.scenarios): its own
    # products, squads and people, the live organization's members, never listed as one.
    scenario_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scenarios",
        help_text="The live organization this scenario was copied from.",
    )
    changed_at = models.DateTimeField(
        default=timezone.now,
        # Rows written by code that predates the column (a migration's historical model).
        db_default=Now(),
        help_text="When what the advice reads last changed: the methodology, or a product, "
        "squad or person added, edited or removed (docs/scheduling.md).",
    )

    objects = OrganizationQuerySet.as_manager()

    # What a new organization's slug is made from, when it is picked on save: its name,
    # unless set (a scenario's: its live organization's slug and its name).
    slug_base = ""

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reassess_every_days__gte=1), name="org_reassess_every_days_positive"
            ),
            models.CheckConstraint(
                condition=Q(methodology__in=Methodology.values), name="org_methodology_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        saved = getattr(self, "_saved_methodology", None)
        if not self._state.adding and saved is not None:
            if saved != self.methodology:
                self.changed_at = timezone.now()
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "changed_at"}
            elif kwargs.get("update_fields") is None and self.changed_at == getattr(
                self, "_saved_changed_at", None
            ):
                # The value loaded with the row is not written back: a product saved since
                # may have moved it on.
                kwargs["update_fields"] = [
                    f.attname
                    for f in self._meta.concrete_fields
                    if not f.primary_key and f.name != "changed_at"
                ]
        self._saved_methodology = self.methodology
        self._saved_changed_at = self.changed_at
        if self.slug:
            super().save(*args, **kwargs)
            return
        # Two organizations of one name created at the same moment both find the same
        # slug free; the second to write takes the next one instead of failing. Many at
        # once keep colliding on the next: from the third try, a random ending is added.
        base = self.slug_base or self.name
        for attempt in range(SLUG_ATTEMPTS):
            self.slug = unique_slug(base)
            if attempt >= 2:
                self.slug = f"{self.slug[:190]}-{secrets.token_hex(3)}"
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                taken = Organization.objects.filter(slug=self.slug).exists()
                self.slug = ""
                if not taken or attempt == SLUG_ATTEMPTS - 1:
                    raise

    def get_absolute_url(self) -> str:
        return reverse("orgs:organization_detail", kwargs={"slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        organization = super().from_db(db, field_names, values, **kwargs)
        organization._saved_methodology = organization.__dict__.get("methodology")
        organization._saved_changed_at = organization.__dict__.get("changed_at")
        return organization


SLUG_ATTEMPTS = 5


def mark_changed(organization_id: int | None) -> None:
    """Record that what the advice reads of the organization changed now: one UPDATE.

    Product, Squad and Person call it from save() and delete(), and a person's squads
    from the m2m_changed receiver below; code that writes them in bulk (bulk_create,
    QuerySet.update or delete, as the import and the admin's bulk delete do) must call
    it itself.
    """
    if organization_id is not None:
        Organization.objects.filter(pk=organization_id).update(changed_at=timezone.now())


class ChangesOrganization(models.Model):
    """A model whose rows the advice reads: saving or deleting one marks its organization
    changed (Organization.changed_at)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        mark_changed(self.organization_id)

    def delete(self, *args, **kwargs):
        organization_id = self.organization_id
        deleted = super().delete(*args, **kwargs)
        mark_changed(organization_id)
        return deleted


def unique_slug(name: str) -> str:
    """A slug for a new organization: the name's, with -2, -3 … when taken. One query,
    whatever how many share the name (it read one a number before)."""
    base = slugify(name)[:190] or "organization"
    taken = set(
        Organization.objects.filter(Q(slug=base) | Q(slug__startswith=f"{base}-")).values_list(
            "slug", flat=True
        )
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


class Product(ChangesOrganization):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="products"
    )
    name = models.CharField(max_length=200, validators=[refuse_control_characters])
    markets = models.JSONField(default=list, blank=True, help_text="Names of the markets served.")
    personas = models.JSONField(default=list, blank=True, help_text="Names of the personas served.")
    roadmap_updated_on = models.DateField(null=True, blank=True)
    last_customer_interview_on = models.DateField(null=True, blank=True)
    roadmap_reviews_cancelled = models.PositiveIntegerField(
        null=True, blank=True, help_text="Roadmap reviews cancelled in the last quarter."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="product_name_unique_in_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        for field in ("markets", "personas"):
            validate_name_list(getattr(self, field), field)

    # Every product serves at least one market and one persona: no names is "not
    # entered", unknown, never zero (DOMAIN.md). The empty list is its one stored form.
    @property
    def markets_entered(self) -> bool:
        return bool(self.markets)

    @property
    def personas_entered(self) -> bool:
        return bool(self.personas)


def validate_name_list(value, field: str) -> None:
    """Markets and personas are lists of distinct, non-blank names."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError({field: "Must be a list of non-blank names."})
    if len({v.strip().casefold() for v in value}) != len(value):
        raise ValidationError({field: "Names must not repeat."})
    for name in value:
        try:
            refuse_control_characters(name)
        except ValidationError as e:
            raise ValidationError({field: e.messages}) from None


class Squad(ChangesOrganization):
    # Denormalised from product so the database can hold squad names unique
    # across the whole organization; save() keeps it in step with the product.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="squads")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="squads")
    name = models.CharField(max_length=200, validators=[refuse_control_characters])
    engineers = models.PositiveIntegerField(null=True, blank=True)
    methodology = models.CharField(
        max_length=10,
        choices=Methodology.choices,
        blank=True,
        help_text="Blank means the organization's methodology.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="squad_name_unique_in_org"
            ),
            models.CheckConstraint(
                condition=Q(engineers__isnull=True) | Q(engineers__gte=0),
                name="squad_engineers_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(methodology="") | Q(methodology__in=Methodology.values),
                name="squad_methodology_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.organization_id = self.product.organization_id
        super().save(*args, **kwargs)


def time_share_field(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        verbose_name=f"{label} %",
    )


class Person(ChangesOrganization):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(max_length=200, validators=[refuse_control_characters])
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text="As on their business card.",
        validators=[refuse_control_characters],
    )
    role = models.CharField(
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text="Blank: derived from the title by the title patterns.",
    )
    reports_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    squads = models.ManyToManyField(Squad, blank=True, related_name="people")
    time_backlog = time_share_field("Backlog")
    time_strategy = time_share_field("Strategy")
    time_discovery = time_share_field("Discovery")
    time_stakeholders = time_share_field("Stakeholders")
    time_ceremonies = time_share_field("Ceremonies")
    time_other = time_share_field("Other")
    owns_roadmap = models.BooleanField(null=True, blank=True)
    does_market_research = models.BooleanField(null=True, blank=True)
    sets_pricing = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="person_name_unique_in_org"
            ),
            models.CheckConstraint(condition=~Q(reports_to=F("pk")), name="person_not_own_manager"),
            models.CheckConstraint(
                condition=Q(role="") | Q(role__in=Role.values), name="person_role_valid"
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"time_{b}__gte": 0, f"time_{b}__lte": 100}),
                    name=f"person_time_{b}_0_100",
                )
                for b in TIME_BUCKETS
            ],
            models.CheckConstraint(
                condition=LessThanOrEqual(
                    F("time_backlog")
                    + F("time_strategy")
                    + F("time_discovery")
                    + F("time_stakeholders")
                    + F("time_ceremonies")
                    + F("time_other"),
                    100,
                ),
                name="person_time_total_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def time(self) -> dict[str, int]:
        return {b: getattr(self, f"time_{b}") for b in TIME_BUCKETS}

    @property
    def time_total(self) -> int:
        return sum(self.time.values())

    @property
    def time_entered(self) -> bool:
        """Shares all 0 are time never entered: every share unknown, never 0% (DOMAIN.md)."""
        return self.time_total > 0

    def clean(self) -> None:
        errors = {}
        if self.time_total > 100:
            errors["time_backlog"] = (
                f"Time shares add up to {self.time_total}%; together they may be at most 100%."
            )
        if self.reports_to_id is not None:
            try:
                check_reporting_line(self, self.reports_to)
            except ValidationError as e:
                errors["reports_to"] = e.messages
        if errors:
            raise ValidationError(errors)


@receiver(m2m_changed, sender=Person.squads.through)
def _squads_served_changed(sender, instance, action: str, **kwargs) -> None:
    """Whom a person serves is read by the advice: a change marks the organization."""
    if action in ("post_add", "post_remove", "post_clear"):
        mark_changed(instance.organization_id)


def check_reporting_line(person: Person, manager: Person | None) -> None:
    """Refuse a manager that would close a loop in the reporting lines.

    Walks up from the manager; the chain is at most as long as the organization
    is large, and one query fetches all its lines.
    """
    if manager is None:
        return
    if person.pk is not None and manager.pk == person.pk:
        raise ValidationError("Nobody can report to themselves.")
    if manager.organization_id != person.organization_id:
        raise ValidationError("The manager must belong to the same organization.")
    if person.pk is None:
        return
    lines = dict(
        Person.objects.filter(organization_id=person.organization_id).values_list(
            "pk", "reports_to_id"
        )
    )
    seen = set()
    current = manager.pk
    while current is not None and current not in seen:
        if current == person.pk:
            raise ValidationError(
                f"{manager.name} already reports, directly or not, to {person.name}: "
                "that would make a loop."
            )
        seen.add(current)
        current = lines.get(current)


class TitlePatternQuerySet(models.QuerySet):
    def rules(self) -> tuple[TitleRule, ...]:
        """The admins' title patterns, in the order they are tried: one query."""
        return tuple(
            TitleRule(pattern, role)
            for pattern, role in self.order_by("position", "id").values_list("pattern", "role")
        )


class TitlePattern(models.Model):
    """One line of the ordered title-to-role list; the first matching line wins."""

    position = models.PositiveIntegerField(help_text="Lower positions are tried first.")
    pattern = models.CharField(
        max_length=200,
        help_text="A case-insensitive regular expression searched for in the title, "
        r"e.g. \bPO\b or director.*product.",
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    objects = TitlePatternQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.pattern} → {self.get_role_display()}"

    def save(self, *args, **kwargs) -> None:
        # In a transaction of its own (or the caller's), so that what post_save receivers
        # write about the change (the advisor's ruleset versions) is kept with it or not at all.
        with transaction.atomic():
            super().save(*args, **kwargs)

    def clean(self) -> None:
        try:
            compile_pattern(self.pattern)
        except TitlePatternError as e:
            raise ValidationError({"pattern": f"{str(e)[0].upper()}{str(e)[1:]}."}) from e


class MemberRole(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "user"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=MemberRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.organization}"

    # True for the membership a member reaches an applied scenario with (orgs.access): the
    # scenario stays as a record, which nobody edits.
    is_record = False

    @property
    def can_edit(self) -> bool:
        return self.role in (MemberRole.OWNER, MemberRole.EDITOR) and not self.is_record

    @property
    def can_manage_members(self) -> bool:
        return self.role == MemberRole.OWNER

    @property
    def can_delete_assessments(self) -> bool:
        """An owner's, but not of an applied scenario, which stays as a record."""
        return self.can_manage_members and not self.is_record


class Scenario(models.Model):
    """What a what-if scenario was copied from: the live organization's document at that
    moment and its fingerprint, who copied it, and whether it was applied (orgs.scenarios)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, primary_key=True, related_name="scenario"
    )
    base = models.JSONField(help_text="The live organization's document when it was copied.")
    fingerprint = models.CharField(
        max_length=64, help_text="sha256 of the live organization's content when copied."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Scenario {self.organization}"


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        """Not used yet and not expired."""
        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())

    def backed(self) -> "InvitationQuerySet":
        """Those whose sender is an owner of their organization now: only an owner may
        invite, and an invitation is no more than its sender could do today."""
        return self.filter(
            invited_by__memberships__organization=models.F("organization"),
            invited_by__memberships__role=MemberRole.OWNER,
        )

    def withdraw_sent_by(self, organization: "Organization", user_id: int) -> int:
        """Withdraw the pending invitations a member sent, as they stop being an owner of
        the organization (demoted or removed): how many."""
        deleted, _ = (
            self.pending().filter(organization=organization, invited_by_id=user_id).delete()
        )
        return deleted


class Invitation(models.Model):
    """An owner's invitation to join an organization with a role, sent by e-mail as a link
    that works once and expires. Only a hash of the link's token is kept: a copy of the
    database cannot be used to accept an invitation (docs/access.md, "Invitations")."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(help_text="Whom it was sent to; only their account can accept.")
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.EDITOR)
    token_hash = models.CharField(
        max_length=64, unique=True, help_text="sha256 of the link's token, in hex."
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=MemberRole.values), name="invitation_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.organization} as {self.role}"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()
