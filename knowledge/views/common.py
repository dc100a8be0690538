"""Small helpers the knowledge pages share: pagination, query strings, service errors on forms,
a save refused because someone else saved first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

from ..forms import StaleCheckedForm
from ..services import KnowledgeError, StaleEditError

PAGE_SIZE = 20


def paginate(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> Page:
    # get_page never raises: a bad or out-of-range ?page= shows the first or last page.
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    page.elided_range = list(  # type: ignore[attr-defined]
        page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    return page


class _OnePage(Sequence[int]):
    """What Paginator needs of a list whose total is known and whose one page was fetched."""

    def __init__(self, total: int, page: list[int]):
        self.total, self.page = total, page

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: Any) -> Any:
        return self.page


def paginate_known(total: int, page_items: list[int], number: int, per_page: int) -> Page:
    """A Page for one page fetched apart (knowledge.filters.collect) out of `total` items."""
    page = Paginator(_OnePage(total, page_items), per_page).page(number)
    page.elided_range = list(  # type: ignore[attr-defined]
        page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    return page


def query_without(params: QueryDict, *names: str) -> str:
    copy = params.copy()
    for name in names:
        copy.pop(name, None)
    return copy.urlencode()


def add_service_errors(
    form: forms.BaseForm, error: KnowledgeError, aliases: dict[str, str] | None = None
) -> None:
    """Put each refusal on the field it names (or on the form), so the page shows it there."""
    aliases = aliases or {}
    for name, messages in error.errors.items():
        field = aliases.get(name, name)
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def keep_what_was_typed(
    request: HttpRequest, form: StaleCheckedForm, record: Any, error: StaleEditError
) -> None:
    """After a save refused as stale: the form says so, keeps what was typed and now carries
    the record's current time, so saving again keeps this person's version knowingly (saying
    so once is enough)."""
    record.refresh_from_db(fields=["updated_at"])
    data = request.POST.copy()
    data["read_at"] = record.updated_at.isoformat()
    form.data = data
    for messages in error.errors.values():
        for message in messages:
            form.add_error(None, message)
    form.add_error(
        None,
        _(
            "What you typed is still below: read the current version, then save again to keep "
            "yours."
        ),
    )
    form.stale = True
