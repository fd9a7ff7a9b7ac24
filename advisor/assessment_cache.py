"""The assessment page's stored assessment, rendered once and kept (docs/advice-pages.md).

An assessment never changes once stored (its rows, its ruleset version), so the sections of
its page that show it (the summary, the products with their findings and evidence, the
charts, the people and squads, the missing facts) are rendered once and kept as HTML in the
"pages" cache, keyed on everything that HTML depends on:

- the assessment: its id and its `created_at` (an id comes back after a rollback or a
  restore, never with the same creation time);
- the request's path and whole query string (the pages of each list shown, the other
  parameters the page links keep, the address a decision returns to) and the script prefix
  every link starts with; the HTML is rendered from a request that carries nothing else;
- the templates: a hash of every file of the template folders, computed once per process
  (again when the development server sees a template change), so a deploy with changed
  templates never serves old markup;
- the live links (advisor.links): whether the reader may edit, the organization's slug and
  which of the subjects shown still exist (and, for missing facts, who still has them to
  fill in), as `OrganizationLinks.state()` gives them.

What is live stays out of it and is filled in on every request: the decision on each finding
(the HTML marks each finding's place), the CSRF token, the Decided section, the header
(who ran it, the assessment before it, the reader's role) and the admins' shadow findings.
Each finding is kept with what the advice shows around it while nobody has decided on it (no
decision, so no CSRF token: the Decide link only), which is what most findings show; a
finding with a decision is rendered around its kept HTML on every request.

Two entries: what the page shows of the assessment (`Shown`: the subjects to link and the
findings to look decisions up for, a small value keyed without the links), then the HTML
keyed with the links it was rendered with. A warm page reads none of the assessment's rows
and builds no presenter: the links and the decisions are its queries.
"""

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from django.http import HttpRequest
from django.template.loader import get_template, render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe

from advisor.decisions import DecisionView, decision_view
from advisor.links import OrganizationLinks
from advisor.models import Assessment
from advisor.presenters import (
    AssessmentPage,
    ShownRows,
    assessment_page,
    shown_rows,
    subject_counts,
)
from orgs.models import Organization
from orgs.paging import page_query
from orgs.rendered import all_templates_fingerprint

CACHE = "pages"
TEMPLATE = "advisor/assessment_detail.html"
BODY = f"{TEMPLATE}#body"
MISSING_FACTS = f"{TEMPLATE}#missing-facts"
ADVICE = "advisor/_advice.html"
# shown_rows' argument → the query parameter of the assessment page that sets it.
PAGE_PARAMS = {
    "products_page": "page",
    "people_page": "people_page",
    "squads_page": "squads_page",
    "missing_page": "missing_page",
}
# Where the body shows a finding: `<!--advice:PK-->` + the finding + `<!--/advice-->`. User data
# is escaped, so "<!--" in the HTML only ever comes from the templates.
ADVICE_MARK = re.compile(r"<!--advice:(\d+)-->(.*?)<!--/advice-->", re.DOTALL)
# Where the finding goes in the advice around it (advisor/_advice.html's `finding_html`).
FINDING_MARK = "<!--finding-->"
FINDING = mark_safe(FINDING_MARK)


@dataclass(frozen=True)
class SubjectRef:
    """What the links read of an assessed subject shown (advisor.links.LinkedSubject)."""

    scope: str
    name: str
    product_id: int | None
    person_id: int | None
    squad_id: int | None
    missing_facts: tuple[Mapping[str, Any], ...]

    @property
    def subject_id(self) -> int | None:
        return {"product": self.product_id, "person": self.person_id, "squad": self.squad_id}[
            self.scope
        ]


@dataclass(frozen=True)
class FindingRef:
    """A finding shown, as its live decision reads it (advisor/_advice.html beside the kept
    HTML of the finding itself)."""

    pk: int
    heuristic: str
    name: str
    subject: str
    scope: str
    subject_id: int | None


@dataclass(frozen=True)
class Shown:
    """What the page shows of the assessment, for the live parts: the subjects it links and
    the findings it shows, in the page's order."""

    subjects: tuple[SubjectRef, ...]
    findings: tuple[FindingRef, ...]

    def decision_keys(self) -> list[tuple[int, str, int | None, str]]:
        return [(f.pk, f.scope, f.subject_id, f.heuristic) for f in self.findings]


@dataclass(frozen=True)
class Piece:
    """Kept HTML up to a finding, the finding's own HTML, and what the advice on it shows
    before and after the finding while nobody has decided on it; the last piece has no
    finding."""

    html: SafeString
    finding: FindingRef | None = None
    finding_html: str = ""
    open_before: str = ""
    open_after: str = ""


@dataclass(frozen=True)
class Body:
    """The kept HTML: the pieces of the sections from the summary to the squads, then the
    missing facts section."""

    pieces: tuple[Piece, ...]
    missing_facts: SafeString


def _key(kind: str, *parts: Any) -> str:
    return f"assessment-{kind}:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def page_key(assessment: Assessment, request: HttpRequest) -> str:
    """The key of what a page of the assessment shows: the assessment (id and creation time),
    the path with the page numbers of its query (query_only), the script prefix and the
    templates."""
    return _key(
        "page",
        assessment.pk,
        assessment.created_at.isoformat(),
        query_only(request).get_full_path(),
        get_script_prefix(),
        all_templates_fingerprint(),
    )


def body_key(page_key: str, links: OrganizationLinks) -> str:
    """The key of the HTML: the page's, and the live links it shows."""
    return _key("body", page_key, links.state())


def shown_of(page: AssessmentPage, shown: ShownRows) -> Shown:
    """What the live parts need of the page's rows: the subjects to link, and each finding
    shown with what its decision is looked up by."""
    subjects = tuple(
        SubjectRef(
            s.scope,
            s.name,
            s.product_id,
            s.person_id,
            s.squad_id,
            tuple(s.missing_facts or ()),
        )
        for s in shown.subjects()
    )
    findings = tuple(
        FindingRef(f.pk, f.heuristic, f.name, f.subject, row.scope, row.subject_id)
        for views, rows in (
            (page.products, shown.products),
            (page.people, shown.people),
            (page.squads, shown.squads),
        )
        for view, row in zip(views, rows, strict=True)
        for f in view.findings
    )
    return Shown(subjects, findings)


def split_body(html: str, findings: Sequence[FindingRef], open_advice: Callable) -> tuple:
    """The body's HTML cut at each finding's mark into pieces; `open_advice(finding)` is the
    advice on a finding nobody has decided on, with FINDING_MARK where the finding goes (it is
    kept once)."""
    by_pk = {f.pk: f for f in findings}
    pieces, start = [], 0
    for mark in ADVICE_MARK.finditer(html):
        finding = by_pk[int(mark[1])]
        before, after = open_advice(finding).split(FINDING_MARK)
        pieces.append(
            Piece(
                mark_safe(html[start : mark.start()]),
                finding,
                mark_safe(mark[2]),
                mark_safe(before),
                mark_safe(after),
            )
        )
        start = mark.end()
    pieces.append(Piece(mark_safe(html[start:])))
    if len(pieces) != len(by_pk) + 1:
        raise ValueError("Every finding shown is marked once in the assessment page's body.")
    return tuple(pieces)


@dataclass
class AssessmentBody:
    """The page's kept parts, and the presenter (built when first asked for, at once when the
    parts were rendered for this request)."""

    shown: Shown
    body: Body
    page: Callable[[], AssessmentPage]


def counts_of(assessment: Assessment) -> dict[str, int]:
    """What the assessment page counts of the assessment (presenters.subject_counts), kept:
    the same for every page of it and every reader."""
    key = _key("counts", assessment.pk, assessment.created_at.isoformat())
    counts = caches[CACHE].get(key)
    if counts is None:
        counts = subject_counts(assessment)
        caches[CACHE].set(key, counts)
    return counts


def assessment_body(
    request: HttpRequest, assessment: Assessment, organization: Organization, *, can_edit: bool
) -> AssessmentBody:
    """The kept parts of the assessment's page for this request, rendering what is missing."""
    cache = caches[CACHE]
    request = query_only(request)
    key = page_key(assessment, request)
    found = cache.get(key)
    page: AssessmentPage | None = None
    rows: ShownRows | None = None

    def read_rows() -> ShownRows:
        return shown_rows(
            assessment,
            counts=counts_of(assessment),
            **{k: request.GET.get(p) for k, p in PAGE_PARAMS.items()},
        )

    def build(links: OrganizationLinks) -> AssessmentPage:
        nonlocal page, rows
        if page is None:
            rows = rows or read_rows()
            page = assessment_page(assessment, lambda _: links, shown=rows)
        return page

    if found is None:
        rows = read_rows()
        links = OrganizationLinks(organization, rows.subjects(), can_edit=can_edit)
        found = shown_of(build(links), rows)
        cache.set(key, found)
    else:
        links = OrganizationLinks(organization, found.subjects, can_edit=can_edit)
    html_key = body_key(key, links)
    body = cache.get(html_key)
    if body is None:
        body = render_body(request, assessment, organization, found, build(links), can_edit)
        cache.set(html_key, body)
    return AssessmentBody(found, body, lambda: build(links))


def render_body(
    request: HttpRequest,
    assessment: Assessment,
    organization: Organization,
    shown: Shown,
    page: AssessmentPage,
    can_edit: bool,
) -> Body:
    """The kept parts rendered from `request`, query_only's: its path and page numbers."""
    context = {"page": page, "can_edit": can_edit}
    advice = get_template(ADVICE)
    common = {
        "organization": organization,
        "assessment": assessment,
        "membership": {"can_edit": can_edit},
        "placement": "card",
        "next_url": request.get_full_path(),
    }

    def open_advice(finding: FindingRef) -> str:
        undecided = decision_view(finding.pk, finding.subject_id is not None, None)
        # Without a request: no context processor runs, so nothing of the reader can get in.
        return advice.render(
            {**common, "finding": finding, "finding_html": FINDING, "decision": undecided}
        )

    return Body(
        pieces=split_body(render_to_string(BODY, context, request), shown.findings, open_advice),
        missing_facts=mark_safe(render_to_string(MISSING_FACTS, context, request)),
    )


# The query parameters the page reads: the pages of its lists, and of the Decided section.
KNOWN_PARAMS = (*PAGE_PARAMS.values(), "decided_page")


def query_only(request: HttpRequest) -> HttpRequest:
    """A request that carries the path and the page numbers of its query and nothing else
    (no user, session, cookie or CSRF token, no other parameter: orgs.paging.page_query):
    what the page is keyed on and the kept HTML is rendered from, so it can depend on
    nothing more."""
    query = page_query(request.GET, KNOWN_PARAMS)
    bare = HttpRequest()
    bare.method = "GET"
    bare.path, bare.path_info = request.path, request.path_info
    bare.META["QUERY_STRING"] = query.urlencode()
    bare.GET = query
    return bare


def page_body(
    request: HttpRequest,
    body: Body,
    decisions: Mapping[int, DecisionView],
    context: Mapping[str, Any],
) -> SafeString:
    """The kept sections with each finding's live decision: the kept advice where nobody has
    decided, else the advice rendered around the finding's kept HTML."""
    advice = None
    parts = []
    for piece in body.pieces:
        parts.append(piece.html)
        if piece.finding is None:
            continue
        decision = decisions.get(piece.finding.pk)
        if decision is None or decision.decision is None:
            parts += (piece.open_before, piece.finding_html, piece.open_after)
            continue
        advice = advice or get_template(ADVICE)
        parts.append(
            advice.render(
                {
                    **context,
                    "finding": piece.finding,
                    "finding_html": piece.finding_html,
                    "decision": decision,
                    "placement": "card",
                },
                request,
            )
        )
    return mark_safe("".join(parts))
