"""Every model of the project has a factory in tests/factories.py that makes a valid row."""

from decimal import Decimal

import factory
import pytest
from django.apps import apps
from django.db import models

from tests import factories

PROJECT_APPS = ("orgs", "advisor")
# Written by the engine, never by a form: an organization without products has no verdicts,
# and full_clean() calls that empty JSON blank.
WRITTEN_BY_CODE_ONLY = {"advisor.Assessment"}


def factories_by_model() -> dict[type[models.Model], type[factory.django.DjangoModelFactory]]:
    found = {}
    for value in vars(factories).values():
        if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory):
            model = value._meta.get_model_class()
            if model is not None:
                found[model] = value
    return found


def test_every_model_of_the_project_has_a_factory():
    models_of_the_project = {
        model for label in PROJECT_APPS for model in apps.get_app_config(label).get_models()
    }
    missing = sorted(m._meta.label for m in models_of_the_project - set(factories_by_model()))
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "factory_class", list(factories_by_model().values()), ids=lambda f: f.__name__
)
def test_each_factory_saves_a_row_that_passes_validation(factory_class):
    row = factory_class()
    assert type(row).objects.filter(pk=row.pk).exists()
    if row._meta.label not in WRITTEN_BY_CODE_ONLY:
        row.full_clean()


@pytest.mark.django_db
def test_the_settings_factory_sets_the_one_row_rather_than_adding_one():
    factories.AdvisorSettingsFactory(pos_per_scrum_squad=Decimal("0.5"), scope_votes_needed=4)
    row = apps.get_model("advisor", "AdvisorSettings").objects.get()
    assert (row.pk, row.pos_per_scrum_squad, row.scope_votes_needed) == (1, Decimal("0.5"), 4)
