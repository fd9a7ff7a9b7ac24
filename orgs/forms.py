"""Forms for accounts, organizations, members and the organization model."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import Model, Q, QuerySet

from orgs.interchange import too_large
from orgs.models import (
    TIME_BUCKETS,
    MemberRole,
    Methodology,
    Organization,
    Person,
    Product,
    Role,
    Squad,
    refuse_control_characters,
)
from orgs.paging import id_from_text

UNKNOWN_HELP = "Leave blank if unknown."


# The key space of the advisory locks sign-up takes on PostgreSQL (one an address).
_SIGNUP_LOCKS = 7301
_EMAIL_TAKEN = "An account with this email address already exists."


def create_account(form: UserCreationForm) -> Any:
    """The new account of a valid sign-up form, or None with the reason on the form, when
    another sign-up took its user name or its address since the form was checked.

    Two sign-ups at the same moment both pass the form's checks; then the database refuses
    the second user name (an IntegrityError, a 500 before), and nothing refused the second
    address (two accounts for one address, which a password reset must not have). So the
    address is checked again in the transaction that writes the account, which on
    PostgreSQL first takes a lock for that address (SQLite's transactions take the write
    lock at BEGIN: config/settings.py), and a user name taken meanwhile is said beside it.
    Call it inside a transaction, or it makes its own."""
    email = (form.instance.email or "").strip()
    with transaction.atomic():
        if email and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                    [_SIGNUP_LOCKS, email.casefold()],
                )
        if email and get_user_model().objects.filter(email__iexact=email).exists():
            form.add_error("email" if "email" in form.fields else None, _EMAIL_TAKEN)
            return None
        try:
            with transaction.atomic():
                return form.save()
        except IntegrityError:
            form.add_error(
                "username", form.instance.unique_error_message(type(form.instance), ["username"])
            )
            return None


class SignupForm(UserCreationForm):
    email = forms.EmailField(help_text="Used only to reset your password.")

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        # One address, one account: a password reset must reach one user only.
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise ValidationError(_EMAIL_TAKEN)
        return email


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "methodology", "reassess_every_days"]
        labels = {
            "methodology": "Methodology most squads follow",
            "reassess_every_days": "Re-assess every (days)",
        }


class MemberAddForm(forms.Form):
    user = forms.CharField(label="User name or email", max_length=254)
    role = forms.ChoiceField(choices=MemberRole.choices, initial=MemberRole.EDITOR)

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_user(self) -> Model:
        value = self.cleaned_data["user"]
        users = list(
            get_user_model().objects.filter(Q(username=value) | Q(email__iexact=value))[:2]
        )
        exact = [user for user in users if user.get_username() == value]
        if exact:
            users = exact
        if not users:
            raise ValidationError(f"Nobody has the user name or email “{value}”.")
        if len(users) > 1:
            raise ValidationError("Several accounts use this email: give the user name instead.")
        user = users[0]
        if self.organization.memberships.filter(user=user).exists():
            raise ValidationError(f"{user.get_username()} is already a member.")
        return user


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=MemberRole.choices)


def _shown(value: object) -> str:
    """A refused value as an error message quotes it: at most 20 characters of it."""
    text = str(value)
    return text if len(text) <= 20 else f"{text[:20]}…"


class RowChoiceField(forms.ModelChoiceField):
    """A row of the form's choices, by id: a value no row's id can be (not ASCII digits, or
    past 64 bits, which fails in the database) is refused as not a choice, with no query."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return super().to_python(value)
        pk = id_from_text(str(value))
        if pk is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": _shown(value)},
            )
        return super().to_python(str(pk))


class RowsChoiceField(forms.ModelMultipleChoiceField):
    """Rows of the form's choices, by id: as RowChoiceField, for each value."""

    def _check_values(self, value: Any) -> Any:
        ids = []
        for pk in value:
            row_id = id_from_text(str(pk))
            if row_id is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": _shown(pk)},
                )
            ids.append(str(row_id))
        # As ids are written (no leading zeros): what an error quotes is short.
        return super()._check_values(ids)


class NameListField(forms.CharField):
    """Names typed one per line, or separated by commas on a single line; blanks are dropped."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value)
        # A name that contains a comma survives a round trip when shown one per line.
        separator = "\n" if "\n" in text else ","
        return [name.strip() for name in text.split(separator) if name.strip()]

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        seen = set()
        for name in value:
            refuse_control_characters(name)
            key = name.casefold()
            if key in seen:
                raise ValidationError(f"“{name}” is listed twice.")
            seen.add(key)


def refuse_taken_name(queryset: QuerySet, name: str, instance: Model, kind: str) -> None:
    """Names are unique per organization; say so on the name field rather than fail on save."""
    if queryset.filter(name=name).exclude(pk=instance.pk).exists():
        raise ValidationError(f"There is already a {kind} named “{name}” in this organization.")


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProductForm(forms.ModelForm):
    markets = NameListField(
        required=False,
        help_text="One per line, or separated by commas. Blank if unknown: it stays "
        "“not entered”, never zero markets.",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Not entered"}),
    )
    personas = NameListField(
        required=False,
        help_text="One per line, or separated by commas. Blank if unknown: it stays "
        "“not entered”, never zero personas.",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Not entered"}),
    )

    class Meta:
        model = Product
        fields = [
            "name",
            "markets",
            "personas",
            "roadmap_updated_on",
            "last_customer_interview_on",
            "roadmap_reviews_cancelled",
        ]
        labels = {
            "roadmap_updated_on": "Roadmap last updated on",
            "last_customer_interview_on": "Last customer interview on",
            "roadmap_reviews_cancelled": "Roadmap reviews cancelled last quarter",
        }
        help_texts = {
            "roadmap_updated_on": UNKNOWN_HELP,
            "last_customer_interview_on": UNKNOWN_HELP,
            "roadmap_reviews_cancelled": UNKNOWN_HELP,
        }
        widgets = {
            "roadmap_updated_on": date_input(),
            "last_customer_interview_on": date_input(),
        }

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.instance.organization = organization

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        refuse_taken_name(self.organization.products, name, self.instance, "product")
        return name


class SquadForm(forms.ModelForm):
    class Meta:
        model = Squad
        fields = ["product", "name", "engineers", "methodology"]
        field_classes = {"product": RowChoiceField}
        help_texts = {"engineers": UNKNOWN_HELP, "methodology": ""}

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["product"].queryset = organization.products.all()
        self.fields["product"].empty_label = None
        self.fields["methodology"].choices = [
            ("", f"The organization's ({organization.get_methodology_display()})"),
            *Methodology.choices,
        ]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        # Squad names are unique across the whole organization, not per product.
        refuse_taken_name(self.organization.squads, name, self.instance, "squad")
        return name


def share_input() -> forms.NumberInput:
    return forms.NumberInput(
        attrs={"min": 0, "max": 100, "step": 1, "inputmode": "numeric", "data-time-share": ""}
    )


class PersonForm(forms.ModelForm):
    # Not stored: it carries the error about the six shares together, beside their total.
    time_total = forms.IntegerField(required=False, disabled=True, label="Total")

    class Meta:
        model = Person
        fields = [
            "name",
            "title",
            "role",
            "reports_to",
            "squads",
            *(f"time_{bucket}" for bucket in TIME_BUCKETS),
            "owns_roadmap",
            "does_market_research",
            "sets_pricing",
        ]
        labels = {
            "role": "Role override",
            "reports_to": "Reports to",
            "squads": "Squads they serve",
            "owns_roadmap": "Owns the roadmap",
            "does_market_research": "Does market research",
            "sets_pricing": "Sets pricing",
        }
        help_texts = {"role": "", "title": "As on their business card."}
        field_classes = {"reports_to": RowChoiceField, "squads": RowsChoiceField}
        widgets = {
            "squads": forms.CheckboxSelectMultiple,
            **{f"time_{bucket}": share_input() for bucket in TIME_BUCKETS},
        }

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.instance.organization = organization
        self.fields["role"].choices = [("", "From the title"), *Role.choices]
        managers = organization.people.all()
        if self.instance.pk is not None:
            managers = managers.exclude(pk=self.instance.pk)
        self.fields["reports_to"].queryset = managers
        self.fields["reports_to"].empty_label = "Nobody"
        squads = self.fields["squads"]
        squads.queryset = organization.squads.select_related("product").order_by(
            "product__name", "name", "id"
        )
        squads.label_from_instance = lambda squad: f"{squad.product.name} · {squad.name}"
        for field in self.time_fields:
            # The model's own 0-100 check runs too late to stand beside the field.
            field.field.max_value = 100
            field.field.validators.append(MaxValueValidator(100))
        self.fields["time_total"].initial = self.instance.time_total

    @property
    def time_fields(self) -> list[forms.BoundField]:
        return [self[f"time_{bucket}"] for bucket in TIME_BUCKETS]

    @property
    def shown_time_total(self) -> int:
        """The total of the shares as typed (invalid ones count as 0), or as stored."""
        if not self.is_bound:
            return self.instance.time_total
        total = 0
        for field in self.time_fields:
            try:
                total += int(field.data or 0)
            except (TypeError, ValueError):
                continue
        return total

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        refuse_taken_name(self.organization.people, name, self.instance, "person")
        return name

    def clean(self) -> dict:
        cleaned = super().clean()
        shares = [cleaned.get(f"time_{bucket}") for bucket in TIME_BUCKETS]
        if None not in shares and sum(shares) > 100:
            self.add_error(
                "time_total",
                f"The shares add up to {sum(shares)}%; together they may be at most 100%.",
            )
            # Kept off the instance, so Person.clean() does not repeat the error under Backlog.
            for bucket in TIME_BUCKETS:
                del cleaned[f"time_{bucket}"]
            # Screen readers hear the total's error on each share that makes it up.
            error_id = f"{self['time_total'].auto_id}_error"
            for field in self.time_fields:
                field.field.widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": error_id}
                )
        return cleaned


class ImportForm(forms.Form):
    document = forms.FileField(
        label="JSON document",
        help_text="A team-structure-advisor/v1 document.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    replace = forms.BooleanField(
        required=False,
        label="Replace my organization of the same name",
        help_text="Its products, squads and people are deleted and the document's loaded "
        "instead; its members, assessments and address stay. Only an owner can replace.",
    )

    def clean_document(self):
        document = self.cleaned_data["document"]
        # The size the upload counted while it was received, before anything reads it.
        if document.size > settings.ORG_DOCUMENT_MAX_BYTES:
            message = too_large(settings.ORG_DOCUMENT_MAX_BYTES)
            raise ValidationError(message[0].upper() + message[1:] + ".")
        return document


class ScenarioForm(forms.Form):
    """The name of a new what-if scenario of an organization."""

    name = forms.CharField(
        label="Scenario name",
        max_length=150,
        help_text="What you want to try, e.g. “Hire three product owners”.",
    )

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("Give the scenario a name.")
        refuse_control_characters(name)
        if self.organization.scenarios.filter(name__iexact=name).exists():
            raise ValidationError(f"{self.organization.name} already has a scenario of that name.")
        return name


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Their e-mail address")
    role = forms.ChoiceField(choices=MemberRole.choices, initial=MemberRole.EDITOR)

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if self.organization.memberships.filter(user__email__iexact=email).exists():
            raise ValidationError(f"{email} is already a member of {self.organization.name}.")
        return email


class InvitedSignupForm(UserCreationForm):
    """An account for the address an invitation was sent to: the address is the invitation's."""

    class Meta(UserCreationForm.Meta):
        fields = ("username",)

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.email = email
