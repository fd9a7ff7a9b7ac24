"""The advisor's words, spelled once: scopes, roles, verdicts, outcomes, severities and
the labels people read for each.

The engine, the models' choices, the text report and the templates all take their
values and labels from here. Role and methodology values are the organization
model's (`orgs.models.Role`, `orgs.models.Methodology`): `orgs` cannot import the
advisor, so it keeps its own choices for its tables, and a test holds the two to
the same values and labels.
"""

from enum import StrEnum


class Scope(StrEnum):
    PRODUCT = "product"
    SQUAD = "squad"
    PERSON = "person"


class Role(StrEnum):
    EXECUTIVE = "executive"
    PRODUCT_LEADER = "product_leader"
    PRODUCT_MANAGER = "product_manager"
    PRODUCT_OWNER = "product_owner"
    ENGINEERING_MANAGER = "engineering_manager"
    OTHER = "other"


ROLE_LABELS: dict[str, str] = {
    Role.EXECUTIVE: "Executive",
    Role.PRODUCT_LEADER: "Product leader",
    Role.PRODUCT_MANAGER: "Product manager",
    Role.PRODUCT_OWNER: "Product owner",
    Role.ENGINEERING_MANAGER: "Engineering manager",
    Role.OTHER: "Other",
}
# The title a retitle or a hire gives, for the two roles the advice staffs.
TITLE_OF_ROLE: dict[str, str] = {
    Role.PRODUCT_MANAGER: "Product Manager",
    Role.PRODUCT_OWNER: "Product Owner",
}
PM_PO_ROLES = (Role.PRODUCT_MANAGER.value, Role.PRODUCT_OWNER.value)


class Methodology(StrEnum):
    SCRUM = "scrum"
    KANBAN = "kanban"
    OTHER = "other"
    NONE = "none"


# The time-allocation buckets, in the order DOMAIN.md and the interchange use.
TIME_BUCKETS = ("backlog", "strategy", "discovery", "stakeholders", "ceremonies", "other")


class Verdict(StrEnum):
    PM_ONLY = "pm_only"
    SPLIT = "split"
    MERGE = "merge"
    KEEP = "keep"


# Outcomes that set a product's verdict, highest first; `keep` is nothing fired.
VERDICT_PRECEDENCE = (Verdict.PM_ONLY.value, Verdict.SPLIT.value, Verdict.MERGE.value)
KEEP = Verdict.KEEP.value
VERDICTS = (*VERDICT_PRECEDENCE, KEEP)
VERDICT_LABELS: dict[str, str] = {
    Verdict.PM_ONLY: "PM only",
    Verdict.SPLIT: "Split",
    Verdict.MERGE: "Merge",
    Verdict.KEEP: "Keep",
}
VERDICT_MEANINGS: dict[str, str] = {
    Verdict.PM_ONLY: "No product owner needed: without Scrum there is no sprint backlog to "
    "own, so one product manager is the role it needs.",
    Verdict.SPLIT: "Split the roles: a product manager, and a product owner per Scrum squad.",
    Verdict.MERGE: "Merge the roles: one product manager who also owns the backlog.",
    Verdict.KEEP: "Keep the current staffing: no heuristic calls for a change.",
}


class Outcome(StrEnum):
    SPLIT = "split"
    MERGE = "merge"
    PM_ONLY = "pm_only"
    RETITLE = "retitle"
    GAP = "gap"
    NOTE = "note"


OUTCOME_LABELS: dict[str, str] = {
    Outcome.SPLIT: "Split the roles",
    Outcome.MERGE: "Merge the roles",
    Outcome.PM_ONLY: "Product manager only",
    Outcome.RETITLE: "Retitle",
    Outcome.GAP: "Coverage gap",
    Outcome.NOTE: "Note",
}
# Advice that never changes a verdict or the plan (DOMAIN.md).
NOTE = Outcome.NOTE.value
OUTCOMES_BY_SCOPE: dict[Scope, tuple[str, ...]] = {
    Scope.PRODUCT: (*VERDICT_PRECEDENCE, Outcome.GAP.value),
    Scope.SQUAD: (Outcome.GAP.value,),
    Scope.PERSON: (Outcome.RETITLE.value, Outcome.NOTE.value),
}
# The outcome and severity of a finding whose heuristic raised while evaluated.
ERROR = "error"
ERROR_LABEL = "could not be evaluated"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


SEVERITY_LABELS: dict[str, str] = {
    Severity.INFO: "Info",
    Severity.WARNING: "Warning",
    Severity.CRITICAL: "Critical",
}


def role_label(role: str | None) -> str:
    """`product_owner` → "Product owner"; no role → "unknown"."""
    if role is None:
        return "unknown"
    return ROLE_LABELS.get(role, role)


def verdict_label(verdict: str | None) -> str:
    """`pm_only` → "PM only"; no verdict (a product absent on one side) → "—"."""
    if verdict is None:
        return "—"
    return VERDICT_LABELS.get(verdict, verdict)


def outcome_label(outcome: str) -> str:
    if outcome == ERROR:
        return ERROR_LABEL
    return OUTCOME_LABELS.get(outcome, outcome)


class Cause(StrEnum):
    """Why a product's advice changed between two assessments (advisor.comparison)."""

    NONE = "none"
    ORGANIZATION = "organization"
    RULES = "rules"
    BOTH = "both"


CAUSE_LABELS: dict[str, str] = {
    Cause.NONE: "Advice unchanged",
    Cause.ORGANIZATION: "The organization changed",
    Cause.RULES: "The rules changed",
    Cause.BOTH: "The organization and the rules changed",
}
CAUSE_MEANINGS: dict[str, str] = {
    Cause.NONE: "The advice is the same, whatever moved in the organization.",
    Cause.ORGANIZATION: "The older facts under the newer rules give the older advice: "
    "what the organization became moved it.",
    Cause.RULES: "The older facts under the newer rules already give the newer advice: "
    "the rules moved it.",
    Cause.BOTH: "The newer rules alone change the older advice, and the organization's "
    "changes move it further.",
}


class DecisionStatus(StrEnum):
    """Where a member's decision on a piece of advice stands (advisor.decisions)."""

    OPEN = "open"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"
    SNOOZED = "snoozed"


DECISION_STATUS_LABELS: dict[str, str] = {
    DecisionStatus.OPEN: "Open",
    DecisionStatus.ACCEPTED: "Accepted",
    DecisionStatus.DISMISSED: "Dismissed",
    DecisionStatus.SNOOZED: "Snoozed",
}


class DecisionAction(StrEnum):
    """One line of a decision's history: what a member did, or an assessment reopening it."""

    ACCEPT = "accept"
    DISMISS = "dismiss"
    SNOOZE = "snooze"
    REOPEN = "reopen"


DECISION_ACTION_LABELS: dict[str, str] = {
    DecisionAction.ACCEPT: "Accepted",
    DecisionAction.DISMISS: "Dismissed",
    DecisionAction.SNOOZE: "Snoozed",
    DecisionAction.REOPEN: "Reopened",
}
# Why a member dismisses advice: a short list; the note says the rest.
DISMISS_REASON_LABELS: dict[str, str] = {
    "not_applicable": "Does not apply to us",
    "already_handled": "Already handled another way",
    "data_wrong": "The data behind it is wrong",
    "accepted_risk": "We accept the risk",
    "other": "Other (see the note)",
}
