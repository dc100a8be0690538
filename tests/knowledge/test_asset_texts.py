"""A knowledge asset's title and abstract in several of the agency's languages: given on the
form and through the API, shown in the reader's language where a version exists, searched in
each version's own language, and kept in the history (who, when, before, after, through what)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import User
from activities.models import Visibility
from knowledge import services
from knowledge.matching import propose_matches
from knowledge.models import AssetText, KnowledgeAsset
from knowledge.services import KnowledgeError
from knowledge.texts import TextVersion, text_history
from tests.factories import ActivityFactory, PartnerFactory, country, theme
from tests.html import all_errors, errors_next_to
from tests.knowledge.factories import make_asset, make_demand, make_offer, make_plan, make_route
from tests.knowledge.test_assets import asset_form

pytestmark = pytest.mark.django_db

ENGLISH_TITLE = "Learning route on rural finance"
FRENCH_TITLE = "Route d\u2019apprentissage sur les coopératives laitières"
FRENCH_ABSTRACT = "Les éleveurs apprennent à vendre leur lait ensemble."
ARABIC_TITLE = "مسار تعلم حول التمويل الريفي"
OFFERED = [("en", "English"), ("fr", "French"), ("es", "Spanish"), ("ar", "Arabic")]


def _french(user: User) -> Client:
    client = Client(headers={"accept-language": "fr"})
    client.force_login(user)
    return client


# --- services and form ---------------------------------------------------------------------------


def test_the_form_saves_versions_and_the_edit_page_shows_them_in_their_language(
    cpm_client: Client,
) -> None:
    response = cpm_client.post(
        reverse("knowledge:asset_create"),
        asset_form(
            external_url="https://example.org/a",
            title_fr=FRENCH_TITLE,
            abstract_fr=FRENCH_ABSTRACT,
            title_ar=ARABIC_TITLE,
        ),
    )
    assert response.status_code == 302, all_errors(response.content)
    asset = KnowledgeAsset.objects.get()
    assert {(t.language, t.title) for t in asset.texts.all()} == {
        ("fr", FRENCH_TITLE),
        ("ar", ARABIC_TITLE),
    }
    page = cpm_client.get(reverse("knowledge:asset_edit", args=[asset.pk])).content.decode()
    assert FRENCH_TITLE in page
    assert 'lang="ar" dir="rtl"' in page
    # The section is open because versions are there.
    assert '<details class="fieldset-fold form-section" open>' in page


def test_a_version_in_the_assets_own_language_is_refused_next_to_its_title(
    cpm_client: Client,
) -> None:
    response = cpm_client.post(
        reverse("knowledge:asset_create"),
        asset_form(external_url="https://example.org/a", language="fr", title_fr=FRENCH_TITLE),
    )
    assert response.status_code == 400
    next_to_title = errors_next_to(response.content, "id_title_fr")
    assert len(next_to_title) == 1
    assert next_to_title[0].startswith("The asset's own title and abstract are in French")
    assert not KnowledgeAsset.objects.exists()


def test_an_abstract_without_its_title_is_refused_and_nothing_is_saved(cpm: User) -> None:
    with pytest.raises(KnowledgeError) as refused:
        make_asset(texts=[TextVersion("es", "", "Resumen sin título")], user=cpm)
    assert refused.value.errors["texts"] == ["Give the title in Spanish."]
    assert not KnowledgeAsset.objects.exists()
    assert not AssetText.objects.exists()


def test_clearing_a_version_on_the_form_removes_it_and_the_history_says_who_and_how(
    cpm: User, cpm_client: Client
) -> None:
    asset = make_asset(texts=[TextVersion("fr", FRENCH_TITLE, FRENCH_ABSTRACT)], user=cpm)
    response = cpm_client.post(
        reverse("knowledge:asset_edit", args=[asset.pk]),
        asset_form(
            title=asset.title,
            external_url="https://example.org/a",
            title_fr="",
            abstract_fr="",
        ),
    )
    assert response.status_code == 302, all_errors(response.content)
    assert not AssetText.objects.exists()
    with translation.override("en"):
        changes = text_history(asset)
    removed = [c for c in changes if c.label == "Title in French"]
    assert [(c.before, c.after) for c in removed] == [(FRENCH_TITLE, ""), ("", FRENCH_TITLE)]
    assert removed[0].who == str(cpm)
    assert removed[0].through == "the page's form"
    # The editor reads the same on the asset's page.
    page = cpm_client.get(asset.get_absolute_url()).content.decode()
    assert "Changes to the other languages" in page
    assert "through the page&#x27;s form" in page


def test_a_save_that_leaves_the_versions_writes_no_history_row(cpm: User) -> None:
    asset = make_asset(texts=[TextVersion("fr", FRENCH_TITLE)], user=cpm)
    data = services.asset_data_of(asset, texts=[TextVersion("fr", FRENCH_TITLE)])
    services.save_asset(asset=asset, data=data, user=cpm)
    services.save_asset(asset=asset, data=services.asset_data_of(asset, texts=None), user=cpm)
    assert AssetText.history.count() == 1  # type: ignore[attr-defined]


def test_a_reader_never_sees_the_history_of_the_versions(cpm: User, viewer_client: Client) -> None:
    asset = make_asset(texts=[TextVersion("fr", FRENCH_TITLE)], user=cpm)
    page = viewer_client.get(asset.get_absolute_url()).content.decode()
    assert "Changes to the other languages" not in page


# --- pages ---------------------------------------------------------------------------------------


@override_settings(LANGUAGES=OFFERED)
def test_a_french_reader_reads_the_french_version_and_the_original_on_demand(
    cpm: User,
) -> None:
    asset = make_asset(
        title=ENGLISH_TITLE, texts=[TextVersion("fr", FRENCH_TITLE, FRENCH_ABSTRACT)], user=cpm
    )
    detail = _french(cpm).get(asset.get_absolute_url()).content.decode()
    assert f'<h1 lang="fr" dir="ltr">{FRENCH_TITLE}</h1>' in detail
    assert FRENCH_ABSTRACT in detail
    with translation.override("fr"):
        also = gettext("Also written in")
    assert also in detail
    assert ENGLISH_TITLE in detail  # the original, under "also written in"


@override_settings(LANGUAGES=OFFERED)
def test_the_search_results_show_the_readers_version_and_mark_the_others(
    cpm: User, viewer: User
) -> None:
    make_asset(title=ENGLISH_TITLE, texts=[TextVersion("fr", FRENCH_TITLE)], user=cpm)
    make_asset(title="Irrigation schemes in Peru", user=cpm)
    page = _french(viewer).get(reverse("knowledge:search")).content.decode()
    assert FRENCH_TITLE in page
    assert ENGLISH_TITLE not in page
    # The asset without a French version: its own title, marked as English.
    assert '<span lang="en">Irrigation schemes in Peru</span>' in page


@override_settings(LANGUAGES=OFFERED)
def test_the_activity_page_lists_its_assets_in_the_readers_language(
    cpm: User,
) -> None:
    activity = ActivityFactory(visibility=Visibility.INTERNAL)
    make_asset(activities=[activity], texts=[TextVersion("fr", FRENCH_TITLE)], user=cpm)
    page = _french(cpm).get(activity.get_absolute_url()).content.decode()
    assert FRENCH_TITLE in page


def test_the_matching_names_an_asset_in_the_readers_language(cpm: User) -> None:
    host = PartnerFactory(name="Asociación de Productores de Quinua", country=country("PE"))
    past = ActivityFactory(
        status="completed", countries=["PE"], partners=[(host, "host")], themes=[theme(3)]
    )
    make_asset(
        title="Quinoa case study",
        activities=[past],
        themes=[3],
        texts=[TextVersion("es", "Estudio de caso de la quinua")],
    )
    make_offer(activity=past, themes=[3], title="Quinoa value chains")
    demand = make_demand(country_code="BO", themes=[3], user=cpm)
    with translation.override("es"):
        reasons = " ".join(propose_matches(demand)[0].reasons)
    assert "“Estudio de caso de la quinua”" in reasons
    with translation.override("en"):
        assert "“Quinoa case study”" in " ".join(propose_matches(demand)[0].reasons)


@override_settings(LANGUAGES=OFFERED)
def test_the_action_plans_name_their_evidence_in_the_readers_language(cpm: User) -> None:
    host, participant = PartnerFactory(), PartnerFactory()
    route = make_route(hosts=[(host, "BD")], participants=[(participant, "BD")])
    evidence = make_asset(texts=[TextVersion("fr", FRENCH_TITLE)], user=cpm)
    make_plan(route, evidence_asset=evidence, status="adopted")
    french = _french(cpm)
    for url in (reverse("knowledge:plan_list"), route.get_absolute_url()):
        assert FRENCH_TITLE[:40] in french.get(url).content.decode()


# --- search --------------------------------------------------------------------------------------


def test_a_french_word_stemmed_in_french_finds_the_asset_by_its_french_version(
    cpm: User, viewer_client: Client
) -> None:
    asset = make_asset(
        title=ENGLISH_TITLE, texts=[TextVersion("fr", FRENCH_TITLE, FRENCH_ABSTRACT)], user=cpm
    )
    make_asset(title="Coopératives in the English text only", user=cpm)
    # "laitière" (singular) finds "laitières" through the French stemmer only.
    found = KnowledgeAsset.objects.search("laitière")
    assert [a.pk for a in found] == [asset.pk]
    response = viewer_client.get(reverse("knowledge:search"), {"q": "éleveur"})
    assert [a.pk for a in response.context["assets"]] == [asset.pk]


def test_a_version_match_ranks_within_the_bounds_and_the_title_ranks_first(cpm: User) -> None:
    in_title = make_asset(
        title="Dairy", texts=[TextVersion("fr", "Fromagerie des Andes")], user=cpm
    )
    in_abstract = make_asset(
        title="Cheese", texts=[TextVersion("fr", "Lait", "Une fromagerie villageoise.")], user=cpm
    )
    found = list(
        KnowledgeAsset.objects.search("fromagerie").with_rank_bounds("fromagerie").order_by("-rank")
    )
    assert [a.pk for a in found] == [in_title.pk, in_abstract.pk]
    for asset in found:
        assert asset.rank_floor <= asset.rank <= asset.rank_ceiling  # type: ignore[attr-defined]
        assert asset.rank > 0  # type: ignore[attr-defined]


def test_an_english_exclusion_does_not_hide_a_french_version_that_matches(cpm: User) -> None:
    asset = make_asset(
        title="Rice value chains", texts=[TextVersion("fr", "Chaînes de valeur")], user=cpm
    )
    assert list(KnowledgeAsset.objects.search("valeur")) == [asset]
    assert list(KnowledgeAsset.objects.search("value -rice")) == []


# --- API -----------------------------------------------------------------------------------------


def _send(client: Client, method: str, asset: KnowledgeAsset, **body: object) -> HttpResponse:
    """A write of the asset's versions, as read just now (its updated_at)."""
    asset.refresh_from_db()
    return client.generic(
        method,
        f"/api/v1/knowledge/{asset.pk}/",
        json.dumps({"updated_at": asset.updated_at.isoformat(), **body}),
        content_type="application/json",
    )


def test_the_api_reads_and_writes_the_versions(cpm: User, cpm_client: Client) -> None:
    asset = make_asset(texts=[TextVersion("fr", FRENCH_TITLE, FRENCH_ABSTRACT)], user=cpm)
    read = cpm_client.get(f"/api/v1/knowledge/{asset.pk}/").json()
    assert read["texts"] == [{"language": "fr", "title": FRENCH_TITLE, "abstract": FRENCH_ABSTRACT}]
    # PATCH without texts keeps them; with texts replaces them; PUT without texts removes them.
    kept = _send(cpm_client, "PATCH", asset)
    assert kept.status_code == 200, kept.content
    assert kept.json()["texts"] == read["texts"]
    replaced = _send(cpm_client, "PATCH", asset, texts=[{"language": "ar", "title": ARABIC_TITLE}])
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["texts"] == [{"language": "ar", "title": ARABIC_TITLE, "abstract": ""}]
    emptied = _send(cpm_client, "PUT", asset)
    assert emptied.status_code == 200, emptied.content
    assert emptied.json()["texts"] == []
    with translation.override("en"):
        throughs = {change.through for change in text_history(asset)}
    assert "the API" in throughs
    # The search finds what the API wrote.
    _send(cpm_client, "PUT", asset, texts=[{"language": "fr", "title": FRENCH_TITLE}])
    assert list(KnowledgeAsset.objects.search("laitière")) == [asset]


def test_the_api_refuses_a_version_naming_the_field(cpm: User, cpm_client: Client) -> None:
    asset = make_asset(user=cpm)
    unknown = _send(cpm_client, "PATCH", asset, texts=[{"language": "de", "title": "Lernroute"}])
    assert unknown.status_code == 400
    assert list(unknown.json()["errors"]) == ["texts.0.language"]
    no_title = _send(
        cpm_client,
        "PATCH",
        asset,
        texts=[{"language": "fr", "title": FRENCH_TITLE}, {"language": "es", "title": ""}],
    )
    assert no_title.status_code == 400
    assert list(no_title.json()["errors"]) == ["texts.1.title"]
    own = _send(cpm_client, "PATCH", asset, texts=[{"language": "en", "title": "Twice"}])
    assert own.status_code == 400
    assert "The asset's own title and abstract are in English" in own.content.decode()
    assert not AssetText.objects.exists()


def test_the_api_refuses_a_stale_write_without_overwriting(cpm: User, cpm_client: Client) -> None:
    asset = make_asset(user=cpm)
    read_at = cpm_client.get(f"/api/v1/knowledge/{asset.pk}/").json()["updated_at"]
    assert (
        _send(cpm_client, "PATCH", asset, texts=[{"language": "fr", "title": "Un"}]).status_code
        == 200
    )
    stale = cpm_client.patch(
        f"/api/v1/knowledge/{asset.pk}/",
        {"updated_at": read_at, "texts": [{"language": "fr", "title": "Deux"}]},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert AssetText.objects.get().title == "Un"


def test_a_reader_cannot_write_versions(cpm: User, viewer_client: Client) -> None:
    asset = make_asset(user=cpm)
    refused = _send(viewer_client, "PATCH", asset, texts=[{"language": "fr", "title": "Non"}])
    assert refused.status_code == 403
    assert not AssetText.objects.exists()


# --- query counts --------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 6])
def test_lists_stay_flat_whatever_the_number_of_versions(
    count: int,
    cpm: User,
    viewer_client: Client,
    django_assert_max_num_queries: Callable[[int], object],
) -> None:
    for n in range(count):
        make_asset(
            title=f"Asset {n}",
            texts=[TextVersion("fr", f"Ressource {n}"), TextVersion("es", f"Recurso {n}")],
            user=cpm,
        )
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        assert viewer_client.get(reverse("knowledge:search")).status_code == 200
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        assert viewer_client.get(reverse("knowledge:search"), {"q": "ressource"}).status_code == 200
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        assert viewer_client.get("/api/v1/knowledge/").status_code == 200
