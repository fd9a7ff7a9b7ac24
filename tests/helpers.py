"""Small helpers that keep the view tests of both apps short: htmx headers, logged-in clients,
and assertions on the markup a page or a partial sends."""

from html.parser import HTMLParser

from django.http import HttpResponse
from django.test import Client

from orgs import models
from orgs.models import Organization
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

HX = {"HX-Request": "true"}


def hx(target: str | None = None) -> dict[str, str]:
    """The headers htmx sends, optionally with the id of the element it will swap."""
    return {**HX, "HX-Target": target} if target else dict(HX)


def lose_the_slug_race(monkeypatch) -> list[str]:
    """Have another organization of the same name take each slug the next creation picks,
    between its check and its insert, the first time only: what two people creating one
    name at the same moment do. Returns the slugs picked, in order."""
    picked: list[str] = []
    real = models.unique_slug

    def taken_meanwhile(name: str) -> str:
        slug = real(name)
        if not picked:
            OrganizationFactory(name=name, slug=slug)
        picked.append(slug)
        return slug

    monkeypatch.setattr(models, "unique_slug", taken_meanwhile)
    return picked


def login(user) -> Client:
    """A client logged in as this user, without the password round trip."""
    client = Client()
    client.force_login(user)
    return client


def client_for(organization: Organization, role: str | None) -> Client:
    """A logged-in client for a new user with this role in the organization (None: not a
    member); the user is `client.user`."""
    user = UserFactory()
    if role is not None:
        MembershipFactory(organization=organization, user=user, role=role)
    client = login(user)
    client.user = user
    return client


def assert_partial(response: HttpResponse, template_name: str) -> str:
    """The response is that partial alone, not a whole page; returns its markup."""
    assert response.status_code == 200, response.status_code
    assert response.template_name == template_name
    html = response.content.decode()
    assert "<html" not in html
    return html


def assert_redirects_to(response: HttpResponse, url: str) -> None:
    assert response.status_code == 302, response.status_code
    assert response["Location"] == url


def field_errors(response: HttpResponse, field: str) -> list[str]:
    """The errors the form in the response's context shows beside a field."""
    return list(response.context["form"].errors.get(field, []))


def field_block(html: str, input_id: str) -> str:
    """The markup of the form field (label, help, errors, input) whose input has this id."""
    for block in html.split('<div class="field')[1:]:
        if f'id="{input_id}"' in block:
            return block
    raise AssertionError(f"no field with an input {input_id!r}")


def page_links(html: str, noun: str) -> str:
    """The markup inside the page links of the list of `noun`, whitespace squeezed."""
    nav = html.split(f'<nav class="pagination" aria-label="Pages of {noun}">')[1]
    return " ".join(nav.split("</nav>")[0].split())


class _RowText(HTMLParser):
    """The text of each table row of a page, cells joined by " | "."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[str] = []
        self._cells: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._cells = []
        elif tag in ("td", "th") and self._cells is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._cells.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._cells is not None:
            self.rows.append(" | ".join(self._cells))
            self._cells = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str) -> list[str]:
    """The text of every table row of the markup, cells joined by " | ", whitespace squeezed."""
    parser = _RowText()
    parser.feed(html)
    return parser.rows


def migrate(targets: list[tuple[str, str]]):
    """Run Django's migration executor to the targets; the apps as they are there."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrated_back_to(app: str, migration: str):
    """For a fixture: the database as it was at the migration, yielded as its apps; back at
    the latest migrations afterwards."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    yield migrate([(app, migration)])
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def kept_renders(monkeypatch) -> list[str]:
    """The templates orgs.rendered renders from now on, by name: empty while every part
    asked for is found kept."""
    import orgs.rendered

    names: list[str] = []
    real_get_template = orgs.rendered.get_template

    def counting(name: str):
        names.append(name)
        return real_get_template(name)

    monkeypatch.setattr(orgs.rendered, "get_template", counting)
    return names
