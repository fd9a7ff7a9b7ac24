"""The assessment page's stored assessment, rendered once and kept (docs/advice-pages.md).

An assessment never changes once stored (its rows, its ruleset version), so the sections of
its page that show it (the summary, the products with their findings and evidence, the
charts, the people and squads, the missing facts) are rendered once and kept as HTML in the
"pages" cache, keyed on everything that HTML depends on:

- the assessment: its id and its `created_at` (an id comes back after a rollback or a
  restore, never with the same creation time);
- the request's whole query string: the pages of each list shown, and the other parameters
  the page links keep; the HTML is rendered from a request that carries nothing else;
- the templates: a hash of every file of the template folders, computed once per process
  (again when the development server sees a template change), so a deploy with changed
  templates never serves old markup;
- the live links (advisor.links): whether the reader may edit, the organization's slug and
  which of the subjects shown still exist (and, for missing facts, who still has them to
  fill in), as `OrganizationLinks.state()` gives them.

What is live stays out of it and is filled in on every request: the decision on each finding
(the HTML marks each finding's place), the CSRF token, the Decided section, the header
(who ran it, the assessment before it, the reader's role) and the admins' shadow findings.

Two entries: what the page shows of the assessment (`Shown`: the subjects to link and the
findings to look decisions up for, a small value keyed without the links), then the HTML
keyed with the links it was rendered with. A warm page reads neither the assessment's rows
nor builds the presenter: the links, the decisions and the Decided section are its queries.
"""

import functools
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.dispatch import receiver
from django.http import HttpRequest, QueryDict
from django.template.loader import render_to_string
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString, mark_safe

from advisor.links import OrganizationLinks
from advisor.models import Assessment
from advisor.presenters import AssessmentPage, ShownRows, assessment_page, shown_rows
from orgs.models import Organization

CACHE = "pages"
TEMPLATE = "advisor/assessment_detail.html"
BODY = f"{TEMPLATE}#body"
MISSING_FACTS = f"{TEMPLATE}#missing-facts"
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
class Body:
    """The kept HTML: (HTML, the finding shown after it, that finding's HTML) pieces, the
    last with no finding, then the missing facts section."""

    pieces: tuple[tuple[SafeString, FindingRef | None, SafeString], ...]
    missing_facts: SafeString


@functools.cache
def template_fingerprint() -> str:
    """A hash of every template file of the project's template folders: a changed template
    changes it, so HTML kept from the old one is never found again."""
    digest = hashlib.sha256()
    for folder in settings.TEMPLATES[0]["DIRS"]:
        root = Path(folder)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()[:16]


@receiver(file_changed, dispatch_uid="advisor.assessment_cache.templates_changed")
def _templates_changed(sender, file_path: Path, **kwargs) -> None:
    """The development server reloads templates without restarting: hash them again."""
    template_fingerprint.cache_clear()


def _key(kind: str, *parts: Any) -> str:
    return f"assessment-{kind}:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def page_key(assessment: Assessment, query: QueryDict, *, fingerprint: str | None = None) -> str:
    """The key of what a page of the assessment shows: the assessment (id and creation time),
    the whole query string and the templates."""
    return _key(
        "page",
        assessment.pk,
        assessment.created_at.isoformat(),
        tuple(sorted(query.lists())),
        fingerprint if fingerprint is not None else template_fingerprint(),
    )


def body_key(page_key: str, links: OrganizationLinks) -> str:
    """The key of the HTML: the page's, and the live links it shows."""
    return _key("body", page_key, links.state())


def shown_of(page: AssessmentPage, shown: ShownRows) -> Shown:
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


def split_body(html: str, findings: Sequence[FindingRef]) -> tuple:
    """The body's HTML cut at each finding's mark: (HTML before, finding, its HTML) pieces."""
    by_pk = {f.pk: f for f in findings}
    pieces, start = [], 0
    for mark in ADVICE_MARK.finditer(html):
        pieces.append(
            (mark_safe(html[start : mark.start()]), by_pk[int(mark[1])], mark_safe(mark[2]))
        )
        start = mark.end()
    pieces.append((mark_safe(html[start:]), None, mark_safe("")))
    if len(pieces) != len(by_pk) + 1:
        raise ValueError("Every finding shown is marked once in the assessment page's body.")
    return tuple(pieces)


def query_only(request: HttpRequest) -> HttpRequest:
    """A request that carries the query string and nothing else (no user, session or CSRF
    token): what the kept HTML is rendered from, so it can depend on nothing more."""
    bare = HttpRequest()
    bare.method = "GET"
    bare.path = bare.path_info = request.path
    bare.GET = request.GET.copy()
    return bare


@dataclass
class AssessmentBody:
    """The page's kept parts and, when they were rendered for this request, the presenter."""

    shown: Shown
    body: Body
    links: OrganizationLinks
    page: Callable[[], AssessmentPage]
    rendered: bool


def assessment_body(
    request: HttpRequest, assessment: Assessment, organization: Organization, *, can_edit: bool
) -> AssessmentBody:
    """The kept parts of the assessment's page for this request, rendering what is missing."""
    cache = caches[CACHE]
    key = page_key(assessment, request.GET)
    found = cache.get(key)
    page: AssessmentPage | None = None
    rows: ShownRows | None = None

    def build(links: OrganizationLinks) -> AssessmentPage:
        nonlocal page, rows
        if page is None:
            rows = rows or shown_rows(
                assessment, **{k: request.GET.get(p) for k, p in PAGE_PARAMS.items()}
            )
            page = assessment_page(assessment, lambda _: links, shown=rows)
        return page

    if found is None:
        rows = shown_rows(assessment, **{k: request.GET.get(p) for k, p in PAGE_PARAMS.items()})
        links = OrganizationLinks(organization, rows.subjects(), can_edit=can_edit)
        found = shown_of(build(links), rows)
        cache.set(key, found)
    else:
        links = OrganizationLinks(organization, found.subjects, can_edit=can_edit)
    html_key = body_key(key, links)
    body = cache.get(html_key)
    rendered = body is None
    if body is None:
        context = {"page": build(links), "can_edit": can_edit}
        bare = query_only(request)
        body = Body(
            pieces=split_body(render_to_string(BODY, context, bare), found.findings),
            missing_facts=mark_safe(render_to_string(MISSING_FACTS, context, bare)),
        )
        cache.set(html_key, body)
    return AssessmentBody(found, body, links, lambda: build(links), rendered)
