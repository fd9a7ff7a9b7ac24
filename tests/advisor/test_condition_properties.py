"""Properties of conditions and validation, over generated data (Hypothesis): no database.

- The compiled predicate (`compile_condition`) and the interpreter (`evaluate`) give the
  same answer for every valid condition on any facts of the declared types, unknown
  values included; the compiled selection (`compile_selection`) picks out of many
  subjects' facts exactly those, in order.
- Validation (`validate_condition`, `heuristic_problems`, the ruleset converter) never
  raises on any JSON value, and its messages stay small whatever the input.
"""

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from advisor.defaults import DEFAULT_PARAMETERS, default_specs
from advisor.engine import HeuristicSpec, heuristic_problems
from advisor.engine.conditions import (
    MAX_CLAUSES,
    MAX_DEPTH,
    MAX_PROBLEMS,
    OPERATORS,
    PRESENCE,
    compile_condition,
    compile_selection,
    evaluate,
    validate_condition,
)
from advisor.engine.examples import example_problems
from advisor.engine.explanations import condition_in_words
from advisor.engine.facts import CATALOGUE, ENUM_VALUES, FactType
from advisor.engine.ruleset import ruleset_from_content
from advisor.engine.vocabulary import Scope
from advisor.ruleset_documents import defaults_document, validate_ruleset
from orgs.interchange import MAX_PROBLEMS as DOCUMENT_PROBLEMS

# Thresholds near which integer facts are drawn: at, just under and just over each.
THRESHOLDS = (0, 1, 2, 3, 15, 25, 40, 90)
# Every message names its path and describes values in a few words.
LONGEST_MESSAGE = 600

# Any text, surrogate halves and control characters included.
any_text = st.text(st.characters(codec=None, categories=None), max_size=60)
numbers = st.one_of(
    st.integers(),
    st.sampled_from([10**9, 10**9 + 1, -(10**9) - 1]),
    # Past the 4,300 digits Python spells (built by a map: Hypothesis spells strategies).
    st.integers(0, 3).map(
        lambda sign_and_size: (-1) ** sign_and_size * 10 ** (4300 + sign_and_size)
    ),
    st.floats(allow_nan=True, allow_infinity=True),
)
json_values = st.recursive(
    st.none() | st.booleans() | numbers | any_text,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.one_of(any_text, st.sampled_from(["all", "any", "fact", "op"])), children, max_size=5
        )
    ),
    max_leaves=40,
)


def near_thresholds() -> st.SearchStrategy[int]:
    return st.sampled_from(THRESHOLDS).flatmap(lambda t: st.sampled_from([t - 1, t, t + 1]))


def fact_value(fact) -> st.SearchStrategy:
    if fact.type == FactType.INT:
        return st.one_of(near_thresholds(), st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6))
    if fact.type == FactType.BOOL:
        return st.booleans()
    return st.sampled_from(ENUM_VALUES[fact.type])


def facts_of(scope: Scope) -> st.SearchStrategy[dict]:
    """A value of each fact of the scope, of its declared type or unknown."""
    return st.fixed_dictionaries(
        {name: st.none() | fact_value(fact) for name, fact in CATALOGUE[scope].items()}
    )


@st.composite
def clause(draw, scope: Scope, parameters: dict) -> dict:
    fact = draw(st.sampled_from(list(CATALOGUE[scope].values())))
    ops = [op for op in OPERATORS if fact.type == FactType.INT or op in ("==", "!=", *PRESENCE)]
    op = draw(st.sampled_from(ops))
    if op in PRESENCE:
        return {"fact": fact.name, "op": op}
    value = draw(fact_value(fact).filter(lambda v: not isinstance(v, float) or v.is_integer()))
    if draw(st.booleans()):
        name = f"p{len(parameters)}"
        parameters[name] = value
        return {"fact": fact.name, "op": op, "param": name}
    return {"fact": fact.name, "op": op, "value": value}


@st.composite
def valid_condition(draw) -> tuple[Scope, dict, dict]:
    """(scope, condition, parameters) with groups up to MAX_DEPTH deep."""
    scope = draw(st.sampled_from(list(Scope)))
    parameters: dict = {}

    def node(depth: int) -> dict:
        if depth < MAX_DEPTH and draw(st.integers(0, 2)) == 0:
            key = draw(st.sampled_from(["all", "any"]))
            return {key: [node(depth + 1) for _ in range(draw(st.integers(1, 3)))]}
        return draw(clause(scope, parameters))

    condition = node(0)
    return scope, condition, parameters


class _CountedList(list):
    """A list that counts the members taken from it by iteration."""

    taken = 0

    def __iter__(self):
        for member in super().__iter__():
            self.taken += 1
            yield member


class TestCompiledAndInterpretedAgree:
    @settings(max_examples=400, deadline=None)
    @given(data=st.data(), case=valid_condition())
    def test_on_any_facts_of_the_declared_types(self, data, case):
        scope, condition, parameters = case
        assume(validate_condition(condition, scope=scope, parameters=parameters) == [])
        facts = data.draw(facts_of(scope))
        fires = compile_condition(condition, parameters)(facts)
        result, _ = evaluate(condition, facts, parameters)
        assert fires == result

    @settings(max_examples=400, deadline=None)
    @given(data=st.data(), case=valid_condition())
    def test_the_selection_picks_the_facts_it_holds_for(self, data, case):
        scope, condition, parameters = case
        assume(validate_condition(condition, scope=scope, parameters=parameters) == [])
        rows = data.draw(st.lists(facts_of(scope), max_size=12))
        # The same facts twice (two subjects of equal values) are each their own row.
        rows += [dict(row) for row in rows[: data.draw(st.integers(0, 3))]]
        selected = compile_selection(condition, parameters)(rows)
        expected = [row for row in rows if evaluate(condition, row, parameters)[0]]
        assert [id(row) for row in selected] == [id(row) for row in expected]

    @settings(max_examples=200, deadline=None)
    @given(data=st.data(), case=valid_condition())
    def test_a_clause_on_an_unknown_fact_holds_only_for_is_unknown(self, data, case):
        scope, condition, parameters = case
        assume(validate_condition(condition, scope=scope, parameters=parameters) == [])
        unknown = dict.fromkeys(CATALOGUE[scope])
        _, trace = evaluate(condition, unknown, parameters)
        assert all(c.result == (c.op == "is_unknown") for c in trace)
        assert (
            compile_condition(condition, parameters)(unknown)
            == evaluate(condition, unknown, parameters)[0]
        )

    def test_at_and_around_a_threshold(self):
        condition = {"fact": "squads", "op": ">=", "param": "min_squads"}
        fires = compile_condition(condition, {"min_squads": 3})
        for squads, expected in [(2, False), (3, True), (4, True), (None, False)]:
            facts = {"squads": squads}
            assert fires(facts) is expected
            assert evaluate(condition, facts, {"min_squads": 3})[0] is expected


def assert_small(problems: list[str], most: int = MAX_PROBLEMS) -> None:
    assert isinstance(problems, list)
    assert len(problems) <= most + 1
    for problem in problems:
        assert isinstance(problem, str)
        assert len(problem) <= LONGEST_MESSAGE, problem


class TestValidationNeverRaises:
    @settings(max_examples=500, deadline=None)
    @given(condition=json_values, parameters=json_values, scope=st.sampled_from(list(Scope)))
    def test_validate_condition_on_any_json(self, condition, parameters, scope):
        assert_small(validate_condition(condition, scope=scope, parameters=parameters))

    @settings(max_examples=300, deadline=None)
    @given(
        case=valid_condition(),
        noise=json_values,
        place=st.sampled_from(["value", "param", "op", "fact"]),
    )
    def test_validate_condition_on_valid_conditions_with_one_part_replaced(
        self, case, noise, place
    ):
        scope, condition, parameters = case
        broken = {"all": [condition, {"fact": "squads", "op": "==", "value": 1, place: noise}]}
        assert_small(validate_condition(broken, scope=scope, parameters=parameters))
        assert condition_in_words(broken, scope=scope, parameters=parameters)

    @settings(max_examples=500, deadline=None)
    @given(
        fields=st.fixed_dictionaries(
            {
                "code": any_text,
                "name": any_text,
                "scope": st.one_of(
                    st.sampled_from(["product", "squad", "person", "team"]), json_values
                ),
                "condition": json_values,
                "outcome": st.one_of(
                    st.sampled_from(["split", "gap", "retitle", "explode"]), json_values
                ),
                "parameters": json_values,
                "severity": json_values,
                "message": st.one_of(any_text, json_values),
                "sources": json_values,
            }
        )
    )
    def test_heuristic_problems_on_any_json(self, fields):
        problems = heuristic_problems(HeuristicSpec(**fields))
        for messages in problems.values():
            assert_small(messages)

    @settings(max_examples=300, deadline=None)
    @given(content=json_values, heuristics=st.lists(json_values, max_size=4))
    def test_the_ruleset_converter_on_any_json(self, content, heuristics):
        ruleset_from_content(content)
        ruleset_from_content(
            {
                "heuristics": heuristics,
                "title_patterns": heuristics,
                "staffing": content,
                "parameters": content,
            }
        )

    @settings(max_examples=300, deadline=None)
    @given(document=json_values)
    def test_validate_ruleset_on_any_json(self, document):
        assert_small([str(p) for p in validate_ruleset(document)], DOCUMENT_PROBLEMS)

    @settings(max_examples=300, deadline=None)
    @given(
        part=st.sampled_from(["format", "parameters", "heuristics", "title_patterns", "staffing"]),
        noise=json_values,
        heuristic=st.integers(min_value=0, max_value=11),
        field=st.sampled_from(["condition", "examples", "sources", "state", "message", "scope"]),
    )
    def test_validate_ruleset_on_the_defaults_with_one_part_replaced(
        self, part, noise, heuristic, field
    ):
        document = defaults_document()
        document[part] = noise
        assert_small([str(p) for p in validate_ruleset(document)], DOCUMENT_PROBLEMS)
        document = defaults_document()
        document["heuristics"][heuristic][field] = noise
        assert_small([str(p) for p in validate_ruleset(document)], DOCUMENT_PROBLEMS)

    @settings(max_examples=300, deadline=None)
    @given(examples=json_values, parameters=json_values)
    def test_example_problems_on_any_json(self, examples, parameters):
        spec = next(s for s in default_specs() if s.code == "split-three-plus-squads")
        table = parameters if isinstance(parameters, dict) else DEFAULT_PARAMETERS
        assert_small(example_problems(spec, examples, table))


def nested_list(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


class TestHostileConditionsStaySmall:
    """Inputs built to make validation recurse, run long or grow its messages."""

    def test_a_list_nested_100000_deep_anywhere(self):
        deep = nested_list(100_000)
        clause = {"fact": "squads", "op": ">=", "value": deep}
        spec = HeuristicSpec(
            code="deep",
            name="Deep",
            scope=Scope.PRODUCT,
            condition=clause,
            outcome="split",
            parameters={"min_squads": deep},
            message="{subject}",
            sources=deep,
        )
        assert validate_condition(deep, scope="product", parameters={}) == [
            "condition: must be an object (an all/any group or a clause)"
        ]
        assert validate_condition(clause, scope="product", parameters={}) == [
            "condition: value a list of 1 does not fit squads, which takes a number"
        ]
        assert heuristic_problems(spec) == {
            "parameters": [
                "parameters.min_squads: must be a number, true/false or a role/methodology "
                "name, not a list of 1"
            ]
        }

    def test_groups_nested_100000_deep_stop_at_the_limit(self):
        condition: dict = {"fact": "squads", "op": ">=", "value": 3}
        for _ in range(100_000):
            condition = {"all": [condition]}
        path = "condition" + ".all[0]" * MAX_DEPTH
        assert validate_condition(condition, scope="product", parameters={}) == [
            f"{path}: groups nest at most {MAX_DEPTH} deep"
        ]

    def test_a_million_clauses_stop_at_the_clause_limit(self):
        clauses = _CountedList([{"fact": "squads", "op": ">=", "value": 3}] * 1_000_000)
        problems = validate_condition({"any": clauses}, scope="product", parameters={})
        assert problems == [f"condition: at most {MAX_CLAUSES} clauses"]
        # The walk stopped at the limit: it never looked at the clauses past it.
        assert clauses.taken == MAX_CLAUSES + 1

    def test_a_million_bad_clauses_are_not_all_listed(self):
        problems = validate_condition({"any": [7] * 1_000_000}, scope="product", parameters={})
        assert len(problems) == MAX_PROBLEMS + 1
        assert problems[-1] == "condition: more problems not listed; fix these first"

    def test_numbers_beyond_what_python_spells(self):
        for value, described in [
            (10**100_000, "an integer of about 100001 digits"),
            (float("nan"), "nan"),
            (float("inf"), "inf"),
        ]:
            problems = validate_condition(
                {"fact": "squads", "op": ">=", "value": value}, scope="product", parameters={}
            )
            assert problems == [
                f"condition: value {described} is "
                + (
                    "not a finite number"
                    if isinstance(value, float)
                    else "out of range (at most 1,000,000,000 either way)"
                )
            ]

    def test_a_megabyte_name_is_cut_in_the_message(self):
        name = "x" * 1_000_000
        (problem,) = validate_condition({"fact": name, "op": ">="}, scope="squad", parameters={})
        assert problem.startswith(
            f"condition: unknown fact {'x' * 40!r}… (1,000,000 characters) for squad"
        )

    def test_ten_thousand_parameters_are_not_all_named(self):
        parameters = {f"p{n}": n for n in range(10_000)}
        (problem,) = validate_condition(
            {"fact": "squads", "op": ">=", "param": "nope"}, scope="product", parameters=parameters
        )
        assert problem.endswith("and 9,990 more)")
        assert len(problem) < LONGEST_MESSAGE
