"""Factories for every model, in one place."""

import factory
from django.contrib.auth import get_user_model

from orgs.models import (
    MemberRole,
    Membership,
    Methodology,
    Organization,
    Person,
    Product,
    Squad,
    TitlePattern,
)


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
