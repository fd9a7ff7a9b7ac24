"""Small assertions that keep the view tests short."""

from django.http import HttpResponse

HX = {"HX-Request": "true"}


def hx(target: str | None = None) -> dict[str, str]:
    """The headers htmx sends, optionally with the id of the element it will swap."""
    return {**HX, "HX-Target": target} if target else dict(HX)


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
