"""The rate cards pages: what one unit of in-kind is worth (the focal point keeps the cards,
agency staff read them), each card's history, and the explicit re-valuation of the lines a card
valued at an older rate (finance.in_kind, finance.revaluation say why nothing moves otherwise)."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.models import User
from activities.history import Through, through_label
from activities.models import Country

from . import in_kind, revaluation
from .access import require_agency_figures
from .errors import FinanceError
from .forms import RateCardFilterForm, RateCardForm
from .models import CURRENCY_CODES, RateCard

SORTS = {
    "": ("-year", "unit", "country__name"),
    "year": ("year", "unit", "country__name"),
    "unit": ("unit", "-year", "country__name"),
    "country": ("country__name", "unit", "-year"),
    "amount": ("amount", "unit", "-year"),
}


def _require_reader(user: User) -> None:
    require_agency_figures(user, _("Rate cards are for agency staff."))


def _require_keeper(user: User) -> None:
    if not user.is_focal_point:
        raise PermissionDenied(_("Only the focal point keeps the rate cards."))


def _filtered(filters: RateCardFilterForm) -> QuerySet[RateCard]:
    cards = RateCard.objects.select_related("country", "updated_by")
    data = filters.cleaned_data if filters.is_valid() else {}
    if data.get("unit"):
        cards = cards.filter(unit=data["unit"])
    if data.get("year"):
        cards = cards.filter(year=data["year"])
    country = (data.get("country") or "").strip().upper()
    if country == "*":
        cards = cards.filter(country__isnull=True)
    elif country:
        cards = cards.filter(country__iso2=country)
    return cards.order_by(*SORTS[data.get("sort") or ""], "pk")


def _card_data(form: RateCardForm, card: RateCard | None) -> in_kind.CardData:
    data = form.cleaned_data
    country_id = data.get("country")
    if card is not None:
        country: Country | None = card.country
    else:
        country = Country.objects.filter(pk=country_id).first() if country_id else None
    return in_kind.CardData(
        unit=data["unit"],
        country=country,
        year=data["year"],
        amount=data["amount"],
        currency=data["currency"],
        source=data.get("source") or "",
    )


def _save(request: HttpRequest, form: RateCardForm, card: RateCard | None) -> RateCard | None:
    """The card saved from a valid form, or None with the service's refusals on the form."""
    user: User = request.user  # type: ignore[assignment]
    try:
        return in_kind.save_rate_card(
            card=card,
            data=_card_data(form, card),
            user=user,
            expected_version=form.cleaned_data.get("version") if card is not None else None,
            through=Through.FORM,
        )
    except FinanceError as error:
        for name, problems in error.errors.items():
            for problem in problems:
                form.add_error(name if name in form.fields else None, problem)
    return None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def rate_cards(request: HttpRequest) -> HttpResponse:
    """The cards, filtered and sorted, each with its lines valued at an older rate; the focal
    point makes new ones here."""
    user: User = request.user  # type: ignore[assignment]
    _require_reader(user)
    form = RateCardForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        _require_keeper(user)
        if form.is_valid() and (card := _save(request, form, None)) is not None:
            messages.success(request, _("The rate card was saved."))
            return redirect("finance:rate_card", pk=card.pk)
    filters = RateCardFilterForm(request.GET or None)
    page = Paginator(_filtered(filters), 25).get_page(request.GET.get("page"))
    stale = revaluation.stale_counts(card.pk for card in page)
    for card in page:
        card.stale = stale.get(card.pk, 0)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "finance/rate_cards.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "can_edit": user.is_focal_point,
            "currency_codes": sorted(CURRENCY_CODES),
        },
        status=400 if request.method == "POST" else 200,
    )


def _get_card(pk: int) -> RateCard:
    card = RateCard.objects.select_related("country", "updated_by").filter(pk=pk).first()
    if card is None:
        raise Http404(_("No such rate card."))
    return card


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def rate_card(request: HttpRequest, pk: int) -> HttpResponse:
    """One card: its history (each version, who, when) and, for the focal point, its edit form
    with the version it was read at (a stale edit is refused, 409)."""
    user: User = request.user  # type: ignore[assignment]
    _require_reader(user)
    card = _get_card(pk)
    status = 200
    if request.method == "POST":
        _require_keeper(user)
        form = RateCardForm(request.POST, card=card)
        status = 400
        if form.is_valid():
            if _save(request, form, card) is not None:
                messages.success(request, _("The rate card was saved."))
                return redirect("finance:rate_card", pk=card.pk)
            card.refresh_from_db()
            if form.cleaned_data.get("version") not in (None, card.version):
                status = 409
    else:
        form = RateCardForm(card=card)
    history = list(
        card.history.select_related("history_user").order_by(  # type: ignore[attr-defined]
            "-history_date", "-history_id"
        )[:100]
    )
    for record in history:
        record.through = through_label(record.history_change_reason)
    return render(
        request,
        "finance/rate_card.html",
        {
            "card": card,
            "form": form,
            "history": history,
            "stale": revaluation.stale_counts([card.pk]).get(card.pk, 0),
            "can_edit": user.is_focal_point,
            "currency_codes": sorted(CURRENCY_CODES),
            "conflict": status == 409,
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def rate_card_revalue(request: HttpRequest, pk: int) -> HttpResponse:
    """The lines a card valued at an older rate, and the confirmed step that re-values them."""
    user: User = request.user  # type: ignore[assignment]
    _require_keeper(user)
    card = _get_card(pk)
    if request.method == "POST":
        result = revaluation.revalue(card=card, user=user, through=Through.FORM)
        _report(request, result)
        return redirect("finance:rate_card", pk=card.pk)
    return render(
        request,
        "finance/rate_card_revalue.html",
        {"card": card, "lines": revaluation.lines_to_revalue(card)[:500]},
    )


def _report(request: HttpRequest, result: revaluation.Revaluation) -> None:
    """The re-valuation's outcome: how many lines moved, and those refused by activity."""
    if result.corrections:
        messages.success(
            request,
            _("%(count)d line(s) re-valued, each by a correction in its activity's ledger.")
            % {"count": len(result.corrections)},
        )
    refused: dict[str, list[str]] = defaultdict(list)
    for line, why in result.refused:
        refused[line.activity.ssc_id].append(why)
    for ssc_id, reasons in sorted(refused.items()):
        messages.warning(
            request,
            _("%(activity)s: %(count)d line(s) left as they are. %(why)s")
            % {"activity": ssc_id, "count": len(reasons), "why": " ".join(sorted(set(reasons)))},
        )
    if not result.corrections and not result.refused:
        messages.info(request, _("Every line of this card already stands at its rate."))
