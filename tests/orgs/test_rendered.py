"""orgs.rendered: HTML kept under a key made of everything it shows, rendered from that alone."""

import datetime
from pathlib import Path

import pytest
from django.core.paginator import Paginator
from django.test import RequestFactory
from django.utils.autoreload import file_changed
from django.utils.safestring import mark_safe

from orgs import rendered
from orgs.models import Organization
from orgs.rendered import digest, render_kept

SOURCE = "{{ name }}|{% csrf_token %}|{{ csrf_token }}|{{ user }}|{{ request.path }}|{{ messages }}"
CHANGED = "<p>{{ name }}</p>"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [("django.template.loaders.locmem.Loader", {"kept.html": SOURCE})],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]


@pytest.fixture
def kept_template(settings):
    settings.TEMPLATES = TEMPLATES
    rendered.fingerprint.cache_clear()
    yield
    rendered.fingerprint.cache_clear()


def render(context: dict, query: dict | None = None, calls: list | None = None) -> str:
    request = RequestFactory().get("/somewhere/", query or {})
    request.user = "Somebody"
    request.META["CSRF_COOKIE"] = "x" * 32
    finish = (lambda c: calls.append(dict(c))) if calls is not None else None
    return render_kept(request, "kept.html", context, made_of=["kept.html"], finish=finish)


class TestDigest:
    def test_equal_data_equal_digests_and_any_difference_another(self):
        rows = [{"id": 1, "name": "Ada", "on": datetime.date(2026, 1, 2), "tags": ["a"]}]
        same = [{"id": 1, "name": "Ada", "on": datetime.date(2026, 1, 2), "tags": ["a"]}]
        assert digest(rows) == digest(same)
        for changed in (
            [{**rows[0], "name": "Adda"}],
            [{**rows[0], "on": datetime.date(2026, 1, 3)}],
            [{**rows[0], "tags": ["a", "b"]}],
            [{**rows[0], "id": "1"}],
            [{**rows[0], "name": None}],
        ):
            assert digest(changed) != digest(rows)

    def test_marked_safe_text_is_told_apart_from_text(self):
        assert digest({"x": "<b>"}) != digest({"x": mark_safe("<b>")})

    def test_a_page_is_its_number_its_list_s_size_and_its_rows(self):
        def page(items, number):
            return Paginator(items, 2).page(number)

        assert digest(page(["a", "b", "c"], 1)) == digest(page(["a", "b", "c"], 1))
        assert digest(page(["a", "b", "c"], 1)) != digest(page(["a", "b", "c", "d"], 1))
        assert digest(page(["a", "b", "c"], 1)) != digest(page(["a", "b", "c"], 2))

    @pytest.mark.django_db
    def test_a_model_instance_is_refused(self):
        with pytest.raises(TypeError, match="Organization is not plain data"):
            digest({"organization": Organization(name="Acme")})

    def test_an_object_of_any_other_kind_is_refused(self):
        with pytest.raises(TypeError, match="is not plain data"):
            digest([lambda: "x"])


@pytest.mark.usefixtures("kept_template")
class TestRenderKept:
    def test_renders_from_the_context_alone_without_csrf_token_user_request_or_messages(self):
        assert render({"name": "Ada"}) == "Ada|||||"

    def test_the_same_data_is_rendered_once_and_kept(self):
        calls = []
        assert render({"name": "Ada"}, calls=calls) == render({"name": "Ada"}, calls=calls)
        assert calls == [{"name": "Ada"}]

    def test_other_data_or_another_query_is_rendered_anew(self):
        calls = []
        render({"name": "Ada"}, calls=calls)
        assert render({"name": "Bo"}, calls=calls).startswith("Bo|")
        render({"name": "Ada"}, {"page": "2"}, calls=calls)
        assert calls == [{"name": "Ada"}, {"name": "Bo"}, {"name": "Ada"}]

    def test_finish_completes_the_context_only_when_rendering(self):
        def finish(context):
            context["name"] = context["name"].upper()

        request = RequestFactory().get("/")
        html = render_kept(
            request, "kept.html", {"name": "ada"}, made_of=["kept.html"], finish=finish
        )
        assert html.startswith("ADA|")

    def test_a_context_of_anything_but_plain_data_is_refused_before_rendering(self):
        calls = []
        with pytest.raises(TypeError):
            render({"name": object()}, calls=calls)
        assert calls == []

    def test_a_changed_template_is_a_new_key(self, settings):
        calls = []
        render({"name": "Ada"}, calls=calls)
        settings.TEMPLATES = [
            {
                **TEMPLATES[0],
                "OPTIONS": {
                    **TEMPLATES[0]["OPTIONS"],
                    "loaders": [("django.template.loaders.locmem.Loader", {"kept.html": CHANGED})],
                },
            }
        ]
        # As the development server does when a file changes.
        file_changed.send(sender=None, file_path=Path("kept.html"))
        assert render({"name": "Ada"}, calls=calls) == "<p>Ada</p>"
        assert len(calls) == 2
