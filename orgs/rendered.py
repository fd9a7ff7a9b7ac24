"""HTML rendered once and kept, under a key made of everything it shows.

The "pages" cache (config/settings.py: each worker's memory) keeps a rendered template
under a digest of:

- the data it is rendered from: the whole context, pickled by `_KeyPickler`, which takes
  only plain values (text, numbers, dates, lists, dicts, pages of them) and refuses
  anything else, such as a model instance whose other fields a template could print;
- the template files it is made of, their source read once per process (and again when
  the development server sees a file change);
- the page's query string (page links keep the other lists' pages), the URL prefix, URL
  configuration and current app, the time zone and the language dates are printed in.

So an entry is never stale, only unused: a change to what is shown is a new key. The
template is rendered from a plain `Context` holding that data and nothing else: no context
processor runs, so the HTML cannot hold a CSRF token, the user or their messages. The
request is reachable only by the tags that read `context.request` (`{% url %}`'s current
app, `{% querystring %}`'s query), whose output the key covers.
"""

import hashlib
import io
import pickle
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.paginator import Page
from django.dispatch import receiver
from django.http import HttpRequest
from django.template import Context
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

CACHE_ALIAS = "pages"
# What a key may hold besides text, numbers, None, and lists, tuples and dicts of them.
_ALLOWED = (date, datetime, timedelta, tzinfo, Decimal, SafeString, type)


class _KeyPickler(pickle.Pickler):
    """Pickles plain data for a key, and refuses anything else (TypeError): a model
    instance, say, whose fields a template could print without their being in the key.

    Text, numbers, None, lists, tuples and dicts are pickled without a call here; a page is
    its number, the size of its list and its rows; marked-safe text (which a template does
    not escape) is pickled with its class, so it is told apart from text."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, _ALLOWED):
            return NotImplemented
        if type(obj) is Page:
            paginator = obj.paginator
            shown = ("page", obj.number, paginator.count, paginator.per_page, obj.object_list)
            return tuple, (shown,)
        raise TypeError(
            f"A {type(obj).__name__} is not plain data: it cannot be part of a cache key."
        )


def digest(value: Any) -> str:
    """A digest of plain data (_KeyPickler): equal data, equal digests."""
    buffer = io.BytesIO()
    _KeyPickler(buffer, protocol=5).dump(value)
    return hashlib.sha256(buffer.getbuffer()).hexdigest()


@cache
def fingerprint(template_names: tuple[str, ...]) -> str:
    """A digest of the templates' source, read once per process."""
    digest = hashlib.sha256()
    for name in template_names:
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(get_template(name).template.source.encode())
        digest.update(b"\0")
    return digest.hexdigest()


@cache
def all_templates_fingerprint() -> str:
    """A digest of every file of the project's template folders, read once per process: for
    HTML that may come from any of them."""
    digest = hashlib.sha256()
    for folder in settings.TEMPLATES[0]["DIRS"]:
        root = Path(folder)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


@receiver(file_changed, dispatch_uid="orgs.rendered.templates_changed")
def _files_changed(**kwargs: Any) -> None:
    """The development server saw a file change (a template is reloaded without a restart)."""
    fingerprint.cache_clear()
    all_templates_fingerprint.cache_clear()


def render_kept(
    request: HttpRequest | None,
    template_name: str,
    context: dict[str, Any],
    *,
    made_of: Iterable[str],
    finish: Callable[[dict[str, Any]], None] | None = None,
) -> SafeString:
    """`template_name` (a template or a partial, `file#name`) rendered from `context`, or the
    HTML kept from an earlier rendering of the same. `made_of` names every template file
    the rendering reads (the file of the partial and whatever it includes). `finish`, when
    given, completes the context before it is rendered, and only then: with what follows
    from the context already keyed alone, which a hit need not work out."""
    key_source = (
        fingerprint(tuple(made_of)),
        template_name,
        get_script_prefix(),
        get_urlconf() or settings.ROOT_URLCONF,
        # What {% url %} takes as the current app.
        getattr(request, "current_app", None),
        getattr(getattr(request, "resolver_match", None), "namespace", None),
        request.GET.urlencode() if request is not None else "",
        # What dates are printed in: the time zone and the language (month names).
        get_current_timezone_name(),
        get_language(),
        context,
    )
    key = "rendered:" + digest(key_source)
    kept = caches[CACHE_ALIAS].get(key)
    if kept is None:
        if finish is not None:
            finish(context)
        bare = Context(context)
        if request is not None:
            # Read by {% url %} (the current app) and {% querystring %} (the query), never
            # a template variable.
            bare.request = request
        kept = get_template(template_name).template.render(bare)
        caches[CACHE_ALIAS].set(key, str(kept))
    return mark_safe(kept)
