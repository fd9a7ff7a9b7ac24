"""Taking the advice out: the print layout of an assessment and its Markdown download."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from advisor.printout import md
from advisor.services import run_assessment
from orgs.models import MemberRole
from tests.factories import ProductFactory, SquadFactory, build_organization
from tests.helpers import client_for

HOSTILE = "*Core* [x](http://evil.example) <b>|</b> _a_ `c` ~s~ AT&T"


def urls(assessment) -> tuple[str, str]:
    kwargs = {"slug": assessment.organization.slug, "pk": assessment.pk}
    return (
        reverse("advisor:assessment_print", kwargs=kwargs),
        reverse("advisor:assessment_markdown", kwargs=kwargs),
    )


class TestPrintLayout:
    def test_every_product_on_a_page_of_its_own_without_buttons_or_navigation(self, acme, member):
        for n in range(12):
            SquadFactory(product=ProductFactory(organization=acme, name=f"Product {n:02d}"))
        assessment = run_assessment(acme)[2]
        html = member(MemberRole.EDITOR).get(urls(assessment)[0]).content.decode()
        # All thirteen products (the assessment page shows ten a page), each in a section
        # that begins a printed page, and the people with findings after them.
        assert html.count('<section class="print-product"') == 13 + 1
        assert '<h2 id="print-product-13">Product 11</h2>' in html
        assert "<nav" not in html and "<form" not in html and "<button" not in html
        assert '<p class="screen-only print-hint">' in html
        assert "<script" not in html and "style=" not in html

    def test_the_stylesheet_breaks_pages_between_products_and_hides_the_screen_parts(self):
        css = (Path(settings.BASE_DIR) / "static/css/print.css").read_text()
        media = css[css.index("@media print") :]
        assert ".printout .print-product { break-before: page;" in media
        assert ".printout .screen-only, .printout nav, .printout button" in media

    def test_only_members_read_it(self, acme, assessment, viewer_client, stranger_client):
        for url in urls(assessment):
            assert viewer_client.get(url).status_code == 200
            assert stranger_client.get(url).status_code == 404

    def test_an_assessment_of_another_organization_is_not_found(self, acme, viewer_client):
        other = run_assessment(ProductFactory().organization)[2]
        url = reverse("advisor:assessment_print", kwargs={"slug": acme.slug, "pk": other.pk})
        assert viewer_client.get(url).status_code == 404

    @pytest.mark.parametrize("squads", [3, 60])
    def test_queries_do_not_grow_with_the_assessment(self, db, squads, django_assert_num_queries):
        organization = build_organization(squads)
        assessment = run_assessment(organization)[2]
        client = client_for(organization, MemberRole.VIEWER)
        for url in urls(assessment):
            # Session, user, membership, assessment; subjects, findings, missing counted.
            with django_assert_num_queries(7):
                assert client.get(url).status_code == 200


class TestMarkdown:
    def test_a_download_that_reads_as_a_document(self, acme, assessment, viewer_client):
        response = viewer_client.get(urls(assessment)[1])
        assert response["Content-Type"] == "text/markdown; charset=utf-8"
        assert response["Content-Disposition"] == (
            f'attachment; filename="acme-{assessment.as_of}-advice.md"'
        )
        text = response.content.decode()
        assert text.startswith("# Team-structure advice for Acme\n\nAssessed as of 23 November")
        assert "| Payments | Split | 1 | 1 | 1 | 3 |\n" in text
        assert "\n## Payments: Split\n" in text
        assert "\n- Add 2 product owners" in text
        assert (
            "  - Evidence:\n    - any one of these ✓\n      - `squads` 3 ≥ 3 ✓\n"
            "      - `pm_squads` 3 ≥ 3 ✓\n"
        ) in text

    def test_user_text_is_escaped(self, acme, viewer_client):
        ProductFactory(organization=acme, name=HOSTILE)
        assessment = run_assessment(acme)[2]
        text = viewer_client.get(urls(assessment)[1]).content.decode()
        escaped = r"\*Core\* \[x\](http://evil.example) \<b\>\|\</b\> \_a\_ \`c\` \~s\~ AT\&T"
        assert md(HOSTILE) == escaped
        assert f"| {escaped} | " in text and f"\n## {escaped}: " in text
        assert HOSTILE not in text

    def test_line_breaks_in_user_text_never_start_a_line(self):
        assert md("Pay\n# ments\r\n- x") == "Pay # ments - x"
