"""The engine's vocabulary and the organization model spell roles, methodologies and time
buckets the same way (orgs cannot import the advisor, so each keeps its own list)."""

from advisor.engine import vocabulary
from orgs import models as orgs_models


class TestVocabularyMatchesTheOrganizationModel:
    def test_roles_have_the_same_values_and_labels(self):
        assert dict(orgs_models.Role.choices) == vocabulary.ROLE_LABELS

    def test_methodologies_have_the_same_values(self):
        assert [m.value for m in vocabulary.Methodology] == orgs_models.Methodology.values

    def test_time_buckets_are_the_same_in_the_same_order(self):
        assert vocabulary.TIME_BUCKETS == orgs_models.TIME_BUCKETS


class TestLabels:
    def test_every_verdict_and_outcome_has_a_label(self):
        assert set(vocabulary.VERDICT_LABELS) == set(vocabulary.VERDICTS)
        assert set(vocabulary.VERDICT_MEANINGS) == set(vocabulary.VERDICTS)
        assert set(vocabulary.OUTCOME_LABELS) == {o.value for o in vocabulary.Outcome}

    def test_labels_of_unknown_values(self):
        assert vocabulary.role_label(None) == "unknown"
        assert vocabulary.verdict_label(None) == "—"
        assert vocabulary.outcome_label("error") == "could not be evaluated"
        assert vocabulary.verdict_label("pm_only") == "PM only"
