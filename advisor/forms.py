import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone

from advisor.engine.values import MAX_NUMBER, describe, is_number, number_problem, text_problem
from advisor.engine.vocabulary import DISMISS_REASON_LABELS, DecisionAction


class AssessForm(forms.Form):
    as_of = forms.DateField(
        required=False,
        label="As of",
        help_text="Leave blank for today. Ages (of the roadmap, of the last interview) "
        "are counted to this date.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


# A rule's JSON as an admin types it: a condition of 50 clauses fits many times over.
MAX_JSON_CHARACTERS = 20_000
# Objects and lists inside one another: a condition of six nested groups is 15 deep.
MAX_JSON_DEPTH = 20
# Integers longer than this are out of any range a rule uses; Python would spend time
# converting them, and refuses past 4,300 digits.
MAX_INTEGER_DIGITS = 20
MAX_JSON_PROBLEMS = 20


@dataclass(frozen=True)
class _LongInteger:
    digits: int


class _RepeatedKeys(dict):
    """An object in which a key appeared more than once: json.loads would keep the last."""

    repeated: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> dict:
    found = dict(pairs)
    if len(found) == len(pairs):
        return found
    seen: set[str] = set()
    repeated = _RepeatedKeys(found)
    repeated.repeated = tuple(dict.fromkeys(k for k, _ in pairs if k in seen or seen.add(k)))
    return repeated


def _integer(text: str) -> int | _LongInteger:
    digits = len(text.lstrip("-"))
    return int(text) if digits <= MAX_INTEGER_DIGITS else _LongInteger(digits)


def _too_deep(text: str, limit: int) -> bool:
    """Whether brackets outside strings nest past the limit: checked before parsing, which
    recurses once a level and would run out of stack on a hostile document."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _value_problems(value: Any, path: str) -> list[str]:
    """Every number that is not finite or is out of range, repeated key and text that cannot be
    stored, by path; iterative, as the depth is already bounded but the width is not."""
    problems: list[str] = []
    pending = [(value, path)]
    while pending and len(problems) < MAX_JSON_PROBLEMS:
        value, path = pending.pop()
        if isinstance(value, _LongInteger):
            problems.append(
                f"{path}: an integer of {value.digits:,} digits is out of range "
                f"(at most {MAX_NUMBER:,} either way)"
            )
        elif is_number(value):
            problem = number_problem(value)
            if problem:
                problems.append(f"{path}: {problem}")
        elif isinstance(value, str):
            problem = text_problem(value, multiline=True)
            if problem:
                problems.append(f"{path}: {problem}")
        elif isinstance(value, list):
            pending.extend((item, f"{path}[{i}]") for i, item in reversed(list(enumerate(value))))
        elif isinstance(value, dict):
            for key in getattr(value, "repeated", ()):
                problems.append(f"{path}: the key {describe(key)} appears more than once")
            for key in value:
                problem = text_problem(key)
                if problem:
                    problems.append(f"{path}: a key's {problem}")
            pending.extend((item, f"{path}.{key}") for key, item in reversed(value.items()))
    return problems[:MAX_JSON_PROBLEMS]


def parse_rule_json(text: str, *, name: str) -> tuple[Any, list[str]]:
    """An admin's JSON text as a value, or the problems that refuse it, each named by its path
    from `name`: too long or too deep, not JSON, NaN or Infinity, numbers out of range,
    repeated keys, control characters and half surrogate pairs."""
    if len(text) > MAX_JSON_CHARACTERS:
        return None, [f"{name}: at most {MAX_JSON_CHARACTERS:,} characters, not {len(text):,}"]
    if _too_deep(text, MAX_JSON_DEPTH):
        return None, [f"{name}: nested more than {MAX_JSON_DEPTH} levels deep"]
    try:
        value = json.loads(text, object_pairs_hook=_object, parse_int=_integer)
    except json.JSONDecodeError as e:
        return None, [f"{name}: not JSON: {e.msg} (line {e.lineno}, column {e.colno})"]
    problems = _value_problems(value, name)
    return (None, problems) if problems else (value, [])


class DecisionForm(forms.Form):
    """Accept a finding, dismiss it with a reason, or snooze it until a date after today."""

    action = forms.ChoiceField(
        label="Decision",
        choices=[
            (DecisionAction.ACCEPT.value, "Accept: we will act on it"),
            (DecisionAction.DISMISS.value, "Dismiss: it does not call for action"),
            (DecisionAction.SNOOZE.value, "Snooze: look again at a later date"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(
        label="Why dismiss it",
        required=False,
        choices=[("", "—"), *DISMISS_REASON_LABELS.items()],
        help_text="Needed to dismiss.",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: what the team decided and why.",
    )
    until = forms.DateField(
        label="Snooze until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Needed to snooze: a date after today. The advice comes back that day.",
    )

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        problem = text_problem(note, multiline=True)
        if problem:
            raise forms.ValidationError(f"{problem[:1].upper()}{problem[1:]}.")
        return note

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        action = data.get("action")
        if action == DecisionAction.DISMISS and not data.get("reason"):
            self.add_error("reason", "Choose why you dismiss this advice.")
        if action == DecisionAction.SNOOZE and "until" not in self.errors:
            until = data.get("until")
            if until is None:
                self.add_error("until", "Give the date until which to snooze it.")
            elif until <= timezone.localdate():
                self.add_error("until", "The snooze must end after today.")
        return data
