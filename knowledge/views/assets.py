"""The knowledge library: search with facets, one asset, recording, editing, deleting, files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from activities.history import Through
from activities.models import Activity

from .. import access, services
from ..filters import SORTS, KnowledgeFilter, collect, snippets
from ..forms import AssetForm
from ..history import asset_history_entries
from ..models import FileKind, KnowledgeAsset
from ..texts import text_history
from ..uploads import CONTENT_TYPES
from .common import (
    PAGE_SIZE,
    add_service_errors,
    keep_what_was_typed,
    paginate,
    paginate_known,
    query_without,
)

if TYPE_CHECKING:
    from accounts.models import User

FACET_TITLES = (
    ("type", gettext_lazy("Type")),
    ("country", gettext_lazy("Country")),
    ("division", gettext_lazy("Division")),
    ("theme", gettext_lazy("Theme")),
    ("language", gettext_lazy("Language")),
    ("year", gettext_lazy("Year")),
)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    visible = KnowledgeAsset.objects.visible_to(user)
    found = KnowledgeFilter(request.GET or None, queryset=visible, request=request)
    errors = found.errors if found.is_bound else {}
    try:
        requested = int(request.GET.get("page", "1"))
    except ValueError:
        requested = 1
    matches = collect(found.qs, page=requested, per_page=PAGE_SIZE)
    page = paginate_known(matches.total, matches.page_ids, matches.page_number, PAGE_SIZE)
    by_id = KnowledgeAsset.objects.for_list().in_bulk(matches.page_ids)
    assets = [by_id[pk] for pk in matches.page_ids if pk in by_id]
    q = found.form.cleaned_data.get("q", "") if found.is_bound and "q" not in errors else ""
    found_in = snippets(assets, q)
    for asset in assets:
        asset.snippet = found_in.get(asset.pk)  # type: ignore[attr-defined]
        # The title and abstract in the reader's language when the asset has them in it.
        asset.shown = asset.version_for_reader()  # type: ignore[attr-defined]
    counts = matches.facets
    selected = {
        name: request.GET.get(name, "")
        for name, _title in FACET_TITLES
        if request.GET.get(name) and name not in errors
    }
    facet_groups = [
        {
            "name": name,
            "title": title,
            "selected": selected.get(name, ""),
            "clear_query": query_without(request.GET, name, "page"),
            "values": [
                {"facet": value, "query": _with(request, name, value.value)}
                for value in counts[name]
            ],
        }
        for name, title in FACET_TITLES
    ]
    active = {
        k: v for k, v in request.GET.dict().items() if k not in ("page", "sort") and v.strip()
    }
    context: dict[str, Any] = {
        "filter": found,
        "form": found.form,
        "filter_errors": errors,
        "page_obj": page,
        "assets": assets,
        "q": q,
        "facet_groups": facet_groups,
        "sorts": SORTS,
        "sort": request.GET.get("sort", "relevance" if q else "newest"),
        "sort_query": query_without(request.GET, "sort", "page"),
        "page_query": query_without(request.GET, "page"),
        "has_filters": bool(active),
        "has_any": bool(assets) or visible.exists(),
        "can_contribute": access.can_contribute(user),
    }
    return render(request, "knowledge/search.html", context)


def _with(request: HttpRequest, name: str, value: str) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params[name] = value
    return params.urlencode()


@login_required
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    asset = access.get_asset_for_user(user, pk)
    text, *other_versions = asset.versions_for_reader()
    can_edit = access.can_edit_asset(user, asset)
    context = {
        "asset": asset,
        "text": text,
        "other_versions": other_versions,
        "files": list(asset.files.defer("text")),
        "activities": list(
            asset.activities.filter(pk__in=Activity.objects.visible_to(user).values("pk"))
            .only("pk", "ssc_id", "title")
            .order_by("ssc_id")
        ),
        "themes": list(asset.themes.all()),
        "countries": list(asset.countries.all()),
        "sdgs": list(asset.sdgs.all()),
        "authors": list(asset.author_organizations.select_related("country")),
        "can_edit": can_edit,
        # Who changed the versions in other languages, for those who may change them.
        "text_changes": text_history(asset) if can_edit else [],
    }
    return render(request, "knowledge/asset_detail.html", context)


@login_required
@require_GET
def asset_history(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    asset = access.get_asset_for_user(user, pk)
    page = paginate(request, asset_history_entries(asset))
    return render(
        request,
        "knowledge/asset_history.html",
        {"asset": asset, "page_obj": page, "entries": page.object_list},
    )


def _save(request: HttpRequest, form: AssetForm, asset: KnowledgeAsset | None) -> Any:
    user: User = request.user  # type: ignore[assignment]
    try:
        saved = services.save_asset(
            asset=asset,
            data=form.asset_data(),
            user=user,
            through=Through.FORM,
            read_at=form.cleaned_data.get("read_at") if asset is not None else None,
        )
    except services.StaleEditError as error:
        assert asset is not None
        keep_what_was_typed(request, form, asset, error)
        return None
    except services.KnowledgeError as error:
        add_service_errors(form, error, {"files": "attachments"})
        return None
    return saved


@login_required
@require_http_methods(["GET", "POST"])
def asset_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    access.require_contributor(user)
    initial: dict[str, Any] = {}
    from_activity = request.GET.get("activity", "")
    if from_activity.isdigit():
        activity = Activity.objects.visible_to(user).filter(pk=int(from_activity)).first()
        if activity is not None:
            initial["linked_activities"] = activity.ssc_id
            initial["themes"] = list(activity.themes.values_list("pk", flat=True))
            initial["countries"] = list(activity.country_links.values_list("country_id", flat=True))
            initial["division"] = activity.lead_division_id
    form = AssetForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        user=user,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        asset = _save(request, form, None)
        if asset is not None:
            messages.success(request, _("The asset was added to the library."))
            return redirect(asset)
    status = 400 if request.method == "POST" else 200
    return render(request, "knowledge/asset_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def asset_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    asset = access.get_asset_for_user(user, pk, write=True)
    form = AssetForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        user=user,
        instance=asset,
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, asset)
        if saved is not None:
            messages.success(request, _("The asset was saved."))
            return redirect(saved)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "asset": asset}
    return render(request, "knowledge/asset_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def asset_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    asset = access.get_asset_for_user(user, pk, write=True)
    if request.method == "POST":
        services.delete_asset(asset=asset, user=user)
        messages.success(request, _("“%(title)s” was deleted.") % {"title": asset.title})
        return redirect("knowledge:search")
    files = asset.files.count()
    return render(
        request,
        "knowledge/confirm_delete.html",
        {
            "title": _("Delete this knowledge asset?"),
            "object_label": asset.title,
            "consequences": [
                ngettext(
                    "The asset and its attached file are deleted for good.",
                    "The asset and its %(count)d attached files are deleted for good.",
                    files,
                )
                % {"count": files}
                if files
                else _("The asset is deleted for good."),
                _("Activities and action plans that point to it lose the link."),
            ],
            "cancel_url": asset.get_absolute_url(),
            "breadcrumb": (_("Knowledge"), "knowledge:search"),
        },
    )


@login_required
@require_GET
def file_download(request: HttpRequest, pk: int, file_id: int) -> FileResponse:
    """A file of an asset the user may read, as the type its content was checked to be."""
    user: User = request.user  # type: ignore[assignment]
    asset = access.get_asset_for_user(user, pk)
    row = asset.files.filter(pk=file_id).defer("text").first()
    if row is None:
        raise Http404(_("No such file."))
    inline = row.kind == FileKind.PDF or row.is_image
    response = FileResponse(
        row.file.open("rb"),
        content_type=CONTENT_TYPES[row.kind],
        as_attachment=not inline,
        filename=row.original_name,
    )
    # Whatever a file contains, it never runs as part of the portal's pages.
    response["Content-Security-Policy"] = "sandbox"
    return response
