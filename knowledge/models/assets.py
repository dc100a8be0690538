"""Knowledge assets (case studies, guides, plans, stories), their files, and how they are
searched in each one's language."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.postgres.search import (
    SearchQuery,
    SearchQueryField,
    SearchRank,
    SearchVectorField,
)
from django.db import connections, models
from django.db.models import Case, F, Func, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Greatest, Ln, NullIf
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.text import (
    validate_multi_line_text,
    validate_portal_date,
    validate_single_line_text,
)
from activities.models import (
    SDG,
    Activity,
    ActivityCountry,
    Country,
    Division,
    Partner,
    Theme,
    Visibility,
)
from activities.texts import ContentLanguage, Version, reader_language

from .. import access
from .texts import (
    ArrayItem,
    ArrayPosition,
    AssetText,
    PkInArray,
    texts_prefetch,
    version_title,
)

if TYPE_CHECKING:
    from accounts.models import User


class AssetType(models.TextChoices):
    CASE_STUDY = "case_study", _("Case study")
    LESSON_LEARNED = "lesson_learned", _("Lesson learned")
    GOOD_PRACTICE = "good_practice", _("Good practice / solution")
    LEARNING_ROUTE_GUIDE = "learning_route_guide", _("Learning route guide")
    ACTION_PLAN = "action_plan", _("Innovation / action plan")
    EVALUATION = "evaluation", _("Evaluation or survey")
    TOOLKIT = "toolkit", _("Toolkit / how-to note")
    POLICY_BRIEF = "policy_brief", _("Policy brief")
    STORY = "story", _("Photo or video story")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")
    PORTUGUESE = "pt", _("Portuguese")
    ARABIC = "ar", _("Arabic")
    RUSSIAN = "ru", _("Russian")
    CHINESE = "zh", _("Chinese")
    OTHER = "other", _("Other language")


# PostgreSQL text-search configuration (stemming, stop words) per language; "simple" (lower-case
# words, no stemming) for the others.
SEARCH_CONFIGS: dict[str, str] = {
    Language.ENGLISH: "english",
    Language.FRENCH: "french",
    Language.SPANISH: "spanish",
    Language.PORTUGUESE: "portuguese",
    Language.ARABIC: "arabic",
    Language.RUSSIAN: "russian",
}
SIMPLE_CONFIG = "simple"


def search_config_for(language_field: str = "language") -> Case:
    """The text-search configuration of each row, from its language column."""
    return Case(
        *[When(**{language_field: code}, then=Value(cfg)) for code, cfg in SEARCH_CONFIGS.items()],
        default=Value(SIMPLE_CONFIG),
        output_field=models.CharField(),
    )


def _config_groups() -> dict[str, list[str]]:
    """Language codes per text-search configuration ("simple" takes the others)."""
    groups: dict[str, list[str]] = {}
    for code in Language.values:
        groups.setdefault(SEARCH_CONFIGS.get(code, SIMPLE_CONFIG), []).append(code)
    return groups


def search_match(text: str) -> tuple[Q, Greatest]:
    """The filter and the rank of a search, each asset judged in its own language.

    The searcher's language is unknown, so the words are parsed in every configuration, and an
    asset is compared with the parse of its own language: "routes" finds an English "route",
    "rutas" a Spanish "ruta", and "value -rice" excludes rice in each language's own terms (an OR
    of the parses would let one language's stem slip past another's exclusion). Each branch is
    constant, so the GIN index on the vector answers it.
    """
    match = Q()
    ranks = []
    for config, codes in _config_groups().items():
        query = SearchQuery(text, config=config, search_type="websearch")
        match |= Q(language__in=codes, search_vector=query)
        ranks.append(
            When(language__in=codes, then=SearchRank(F("search_vector"), query, normalization=1))
        )
    own = Case(*ranks, default=Value(0.0), output_field=models.FloatField())
    # Or one of its versions in other languages, each judged in its own language; the best of
    # its own rank and its versions' is its rank.
    with_version = PkInArray(F("pk"), _versions_sql(text, "asset_id"))
    return match | Q(with_version), Greatest(own, _version_rank(text))


def _versions_sql(text: str, column: str) -> RawSQL:
    """ARRAY(SELECT `column` FROM the versions whose title or abstract match, best first): each
    version judged in its own language, the same constant branches as an asset's own, answered
    by migration 0007's partial indexes; `column` is "asset_id" or "rank" (a version's vector is
    small: its rank is exact). Raw SQL, as _query_per_row: a search uses it three times, and
    the Django expressions took longer to build and compile than the statement to run. The
    language codes and configurations are our constants; the words are parameters."""
    matches, parsed = [], []
    params: list[str] = []
    for config, codes in _config_groups().items():
        content = [code for code in codes if code in ContentLanguage.values]
        if not content:
            continue
        languages = ", ".join(f"'{code}'" for code in content)
        matches.append(
            f"(t.language IN ({languages}) AND "
            f"t.search_vector @@ websearch_to_tsquery('{config}'::regconfig, %s))"
        )
        parsed.append(
            f"WHEN t.language IN ({languages}) THEN websearch_to_tsquery('{config}'::regconfig, %s)"
        )
        params.append(text)
    rank = f"ts_rank(t.search_vector, CASE {' '.join(parsed)} END, 1)"
    selected = rank if column == "rank" else "t.asset_id"
    table = AssetText._meta.db_table
    sql = (
        f"ARRAY(SELECT {selected} FROM {table} t WHERE {' OR '.join(matches)} "  # noqa: S608
        f"ORDER BY {rank} DESC, t.asset_id, t.id)"
    )
    output = models.FloatField() if column == "rank" else models.IntegerField()
    # The words for the selected rank (if it is), the match, then the order.
    every = [*params, *params, *params] if column == "rank" else [*params, *params]
    return RawSQL(sql, every, output_field=output)  # noqa: S611


def _version_rank(text: str) -> Coalesce:
    """The best rank of an asset's versions (0 for an asset none of whose versions match). The
    matching versions are ranked once per statement, into two arrays in the same order (best
    first), and each asset finds its best in them: a subquery per asset would weigh on the plan
    of every search, versions or not."""
    ids = _versions_sql(text, "asset_id")
    ranks = _versions_sql(text, "rank")
    return Coalesce(
        ArrayItem(ranks, ArrayPosition(ids, F("pk"))),
        Value(0.0),
        output_field=models.FloatField(),
    )


# How far the rank of an asset can be from what its title and abstract alone give it (see
# rank_bounds). ts_rank (normalization 1) divides a score by log2(1 + the vector's length); the
# score of one word is sum(w_j / (j + 1)^2) / (pi^2 / 6) over its occurrences j in the order of
# the vector, where the weights w_j never increase along it (title A = 1.0, abstract B = 0.4,
# body C = 0.2, files D = 0.1, in that order). So the occurrences in the body and the files add
# at most 0.2 * (pi^2 / 6 - 1) / (pi^2 / 6) < 0.0785 to a word found in the title or abstract,
# and give at most 0.2 (< 0.33, the bound whatever the order) to one found only there; any query's
# score is at most 1 (AND and phrases: 1 - a product of factors in [0, 1]; OR: a mean of word
# scores, each below the weight of its first occurrence).
RANK_TAIL_WITH_HEAD = 0.0785
RANK_TAIL_ONLY = 0.33
RANK_MAX = 1.0
# ts_rank works in single precision: the bounds leave it room.
RANK_MARGIN = 1e-4
# The ceiling of an asset not indexed yet (no head vector or length): above any rank.
RANK_UNKNOWN = 1e9


class NumNode(Func):
    """numnode(tsquery): its number of words and operators (1: a single word)."""

    function = "numnode"
    output_field = models.IntegerField()


def _query_per_row(text: str) -> RawSQL:
    """The words parsed in each row's own configuration (each branch is a constant, parsed once
    per statement). Raw SQL: rank_bounds uses it three times, and seven Django expressions each
    time took longer to build and compile than the statement takes to find a rare word. The
    column is named without its table: it is the row's own in whatever query uses this."""
    branches = []
    params: list[str] = []
    for config, codes in _config_groups().items():
        placeholders = ", ".join(["%s"] * len(codes))
        branches.append(
            f"WHEN language IN ({placeholders}) THEN websearch_to_tsquery(%s::regconfig, %s)"
        )
        params += [*codes, config, text]
    sql = f"CASE {' '.join(branches)} END"
    # The SQL text is built from our constants only; the words are a parameter.
    return RawSQL(sql, params, output_field=SearchQueryField())  # noqa: S611


def rank_bounds(text: str) -> tuple[Coalesce, Greatest]:
    """A floor and a ceiling of each asset's rank for these words (search_match's rank), read
    from the small title-and-abstract vector and the stored length instead of the large vector.

    The head vector holds the first positions of the full vector with the same weights, so its
    ts_rank without normalization is the score the full vector starts from: more occurrences
    (and, for AND, more pairs of them) only add to it. The ceiling adds what the rest of the text
    can add at most (see RANK_TAIL_WITH_HEAD; a single word, else RANK_MAX). Both are divided by
    log2(1 + length) as ts_rank's normalization 1 does, and widened by RANK_MARGIN.
    """
    query = _query_per_row(text)
    head = SearchRank(F("search_head"), query)
    divisor = NullIf(
        Ln(Cast(F("search_length"), models.FloatField()) + Value(1.0)) / Value(math.log(2)),
        Value(0.0),
    )
    floor = Coalesce(
        head * Value(1 - RANK_MARGIN) / divisor, Value(0.0), output_field=models.FloatField()
    )
    # For one word: what the head gives plus the most the rest can add, or (the word only in
    # the rest) the most the rest can give; GREATEST takes both at once, the second being the
    # larger only when the head's score is below 0.25.
    score = Case(
        When(
            Exact(NumNode(query), 1),
            then=Greatest(head + Value(RANK_TAIL_WITH_HEAD), Value(RANK_TAIL_ONLY)),
        ),
        default=Value(RANK_MAX),
        output_field=models.FloatField(),
    )
    unknown = Q(search_head__isnull=True) | Q(search_length__isnull=True)
    ceiling = Case(
        When(unknown, then=Value(RANK_UNKNOWN)),
        default=Coalesce(score * Value(1 + RANK_MARGIN) / divisor, Value(RANK_UNKNOWN)),
        output_field=models.FloatField(),
    )
    # The rank is the best of the asset's own and its versions' (search_match). The floor of
    # the own rank stays a floor of it; the ceiling reaches a version's rank, exact and widened
    # by the margin. (A floor raised by the versions would prune a little more, for the cost of
    # looking up every match's versions once more.)
    return floor, Greatest(ceiling, _version_rank(text) * Value(1 + RANK_MARGIN))


def search_query(text: str) -> SearchQuery:
    """The words parsed in every configuration at once (OR): for highlighting matches in
    snippets, where a row's own language is applied by ts_headline's configuration."""
    configs = sorted({*SEARCH_CONFIGS.values(), SIMPLE_CONFIG})
    query = SearchQuery(text, config=configs[0], search_type="websearch")
    for config in configs[1:]:
        query |= SearchQuery(text, config=config, search_type="websearch")
    return query


class Licence(models.TextChoices):
    CC_BY = "cc_by", _("Creative Commons Attribution (CC BY 4.0)")
    CC_BY_SA = "cc_by_sa", _("Creative Commons Attribution-ShareAlike (CC BY-SA 4.0)")
    CC_BY_NC = "cc_by_nc", _("Creative Commons Attribution-NonCommercial (CC BY-NC 4.0)")
    CC_BY_NC_SA = "cc_by_nc_sa", _("Creative Commons BY-NC-SA 4.0")
    CC0 = "cc0", _("Public domain (CC0)")
    COPYRIGHT = "copyright", _("All rights reserved (ask the authors)")


# --- Knowledge assets ------------------------------------------------------------------------


class KnowledgeAssetQuerySet(models.QuerySet["KnowledgeAsset"]):
    def visible_to(self, user: User | Any) -> KnowledgeAssetQuerySet:
        """What a user may read; anything else answers 404 to them (knowledge.access)."""
        return access.readable(self, user)

    def editable_by(self, user: User | Any) -> KnowledgeAssetQuerySet:
        """What a user may change (knowledge.access)."""
        return access.changeable(self, user, access.asset_patch)

    def for_list(self) -> KnowledgeAssetQuerySet:
        """What the result lists show, in a fixed number of queries; the long texts stay in the
        database."""
        return (
            self.select_related("division")
            .defer("body", "file_text", "search_vector", "search_head")
            .prefetch_related(
                models.Prefetch("countries", queryset=Country.objects.only("pk", "name", "iso2")),
                texts_prefetch(),
            )
        )

    def search(self, text: str) -> KnowledgeAssetQuerySet:
        """Assets matching the words typed, with a `rank` (higher is better).

        PostgreSQL: the stored vector (title, abstract, body and the text of attached PDFs,
        weighted in that order) against the words parsed in the asset's language, or a version's
        title and abstract in its own (search_match), ranked by ts_rank. SQLite
        (the quickstart): each word as a case-insensitive substring of the same fields, rank 0.
        """
        text = " ".join(text.split())
        if not text:
            return self
        if connections[self.db].vendor == "postgresql":
            match, rank = search_match(text)
            return self.filter(match).annotate(rank=rank)
        found = self
        # Every word somewhere in the four fields (quotes and operators of the PostgreSQL
        # syntax are ignored here).
        for word in re.findall(r"[^\s\"]+", text):
            word = word.lstrip("-")
            if word and word.lower() != "or":
                versions = AssetText.objects.filter(
                    Q(title__icontains=word) | Q(abstract__icontains=word)
                ).values("asset_id")
                found = found.filter(
                    Q(title__icontains=word)
                    | Q(abstract__icontains=word)
                    | Q(body__icontains=word)
                    | Q(file_text__icontains=word)
                    | Q(pk__in=versions)
                )
        return found.annotate(rank=Value(0.0, output_field=models.FloatField()))

    def with_rank_bounds(self, text: str) -> KnowledgeAssetQuerySet:
        """Annotate `rank_floor` and `rank_ceiling` of the rank search(text) gives (PostgreSQL;
        elsewhere nothing): what knowledge.filters.collect needs to rank only the assets that
        can reach the page asked for."""
        text = " ".join(text.split())
        if not text or connections[self.db].vendor != "postgresql":
            return self
        floor, ceiling = rank_bounds(text)
        return self.annotate(rank_floor=floor, rank_ceiling=ceiling)

    def for_activity_page(
        self, activity: Activity, *, theme_ids: list[int], country_ids: list[int], limit: int
    ) -> KnowledgeAssetQuerySet:
        """In one query: the assets linked to the activity (`own` true) and those linked to other
        activities sharing at least one of its themes and one of its countries, own first."""
        links = KnowledgeAsset.activities.through.objects
        own = links.filter(activity_id=activity.pk, knowledgeasset_id=models.OuterRef("pk"))
        neighbours = (
            Activity.objects.filter(themes__in=theme_ids)
            .filter(
                pk__in=ActivityCountry.objects.filter(country_id__in=country_ids).values(
                    "activity_id"
                )
            )
            .exclude(pk=activity.pk)
            .values("pk")
        )
        related = links.filter(activity_id__in=neighbours).values("knowledgeasset_id")
        wanted = Q(pk__in=links.filter(activity_id=activity.pk).values("knowledgeasset_id"))
        if theme_ids and country_ids:
            wanted |= Q(pk__in=related)
        return (
            self.filter(wanted)
            .annotate(own=models.Exists(own), version_title=version_title())
            .only("pk", "title", "asset_type", "published_on", "visibility", "language")
            .order_by("-own", "-published_on", "-pk")[:limit]
        )


class KnowledgeAsset(models.Model):
    asset_type = models.CharField(_("type"), max_length=30, choices=AssetType.choices)
    title = models.CharField(_("title"), max_length=300, validators=[validate_single_line_text])
    abstract = models.TextField(
        _("abstract"), blank=True, max_length=5000, validators=[validate_multi_line_text]
    )
    body = models.TextField(
        _("body"),
        blank=True,
        max_length=300_000,
        help_text=_("The full text, when the asset is written here rather than attached."),
        validators=[validate_multi_line_text],
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )
    published_on = models.DateField(_("publication date"), validators=[validate_portal_date])
    division = models.ForeignKey(
        Division,
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The IFAD division the asset belongs to (its CPMs may edit it)."),
    )
    author_organizations = models.ManyToManyField(
        Partner,
        verbose_name=_("author organizations"),
        blank=True,
        related_name="knowledge_assets",
    )
    countries = models.ManyToManyField(
        Country, verbose_name=_("countries"), blank=True, related_name="knowledge_assets"
    )
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), related_name="knowledge_assets"
    )
    sdgs = models.ManyToManyField(SDG, verbose_name=_("SDGs"), blank=True, related_name="+")
    activities = models.ManyToManyField(
        Activity,
        verbose_name=_("linked activities"),
        blank=True,
        related_name="knowledge_assets",
    )
    external_url = models.URLField(
        _("external link"),
        max_length=500,
        blank=True,
        help_text=_("Where the asset lives elsewhere (a video, a publisher's page)."),
    )
    licence = models.CharField(
        _("licence"), max_length=20, choices=Licence.choices, default=Licence.CC_BY
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.INTERNAL,
        help_text=_("Public assets are shown to partner organizations and the public API."),
    )
    # The text of the attached PDFs, joined: searched with the rest (a copy of AssetFile.text kept
    # here so that one column feeds the vector, the SQLite fallback and the result snippets).
    file_text = models.TextField(blank=True, editable=False)
    # Maintained by services.save_asset on PostgreSQL; NULL on SQLite, which searches the text.
    search_vector = SearchVectorField(null=True, editable=False)
    # Beside it, for ranking without reading it (it is large and stored apart, in TOAST): its
    # title and abstract part (the same positions and weights), small enough to stay in the row,
    # and its length as ts_rank counts it. Maintained with it (services.reindex_assets).
    search_head = SearchVectorField(null=True, editable=False)
    search_length = models.PositiveIntegerField(null=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = KnowledgeAssetQuerySet.as_manager()

    history = HistoricalRecords(
        m2m_fields=[author_organizations, countries, themes, sdgs, activities],
        # Derived from the files and the text, rebuilt on every save: not an edit of anyone's.
        excluded_fields=[
            "file_text",
            "search_vector",
            "search_head",
            "search_length",
            "updated_at",
        ],
    )

    class Meta:
        ordering = ["-published_on", "-pk"]
        verbose_name = _("knowledge asset")
        verbose_name_plural = _("knowledge assets")
        # The search page's orders (newest, oldest, title; id breaks ties), so that a page is
        # read from an index rather than sorted out of every match. The visibility index also
        # carries the facet columns: the facets of a list without words (every asset, or every
        # public one) are counted from it, without reading the table.
        indexes = [
            models.Index(fields=["published_on", "id"], name="knowledge_published_idx"),
            models.Index(
                fields=["visibility", "published_on", "id", "asset_type", "language", "division"],
                name="knowledge_visible_idx",
            ),
            models.Index(fields=["title", "id"], name="knowledge_title_idx"),
        ]
        # The GIN index on search_vector is created by migration 0002 on PostgreSQL only.

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:asset_detail", args=[self.pk])

    @property
    def search_config(self) -> str:
        return SEARCH_CONFIGS.get(self.language, SIMPLE_CONFIG)

    @property
    def lang_tag(self) -> str:
        """The own text's language as a page marks it: "other" is no tag ("und": undetermined)."""
        return "und" if self.language == Language.OTHER else self.language

    def _own_version(self) -> Version:
        return Version(self.lang_tag, self.get_language_display(), self.title, self.abstract, True)

    def versions_for_reader(self, language: str | None = None) -> list[Version]:
        """Every version of the title and abstract (`summary` holds the abstract), the
        reader's first (the asset's own when it has none in the reader's language), then the
        others in the languages' order. Uses prefetched `texts` when the caller asked."""
        language = language or reader_language()
        names = dict(ContentLanguage.choices)
        found = [self._own_version()]
        found += [
            Version(text.language, str(names[text.language]), text.title, text.abstract, False)
            for text in self.texts.all()
        ]
        order = [*ContentLanguage.values, *Language.values, "und"]
        found.sort(key=lambda v: (v.language != language, not v.own, order.index(v.language)))
        return found

    def version_for_reader(self, language: str | None = None) -> Version:
        """The title and abstract as the reader reads them (versions_for_reader's first)."""
        return self.versions_for_reader(language)[0]


class FileKind(models.TextChoices):
    PDF = "pdf", _("PDF document")
    DOCX = "docx", _("Word document")
    XLSX = "xlsx", _("Excel workbook")
    PPTX = "pptx", _("PowerPoint presentation")
    PNG = "png", _("PNG image")
    JPEG = "jpeg", _("JPEG image")
    GIF = "gif", _("GIF image")
    WEBP = "webp", _("WebP image")


def asset_file_path(instance: AssetFile, filename: str) -> str:
    # Never the uploader's name in the path: it is kept in original_name for display only.
    return f"knowledge/{instance.asset_id}/{instance.sha256[:16]}.{instance.extension}"


class AssetFile(models.Model):
    asset = models.ForeignKey(KnowledgeAsset, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to=asset_file_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=10, choices=FileKind.choices)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    text = models.TextField(_("extracted text"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["text"])

    class Meta:
        ordering = ["pk"]
        verbose_name = _("asset file")
        verbose_name_plural = _("asset files")

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("knowledge:file_download", args=[self.asset_id, self.pk])

    @property
    def extension(self) -> str:
        return "jpg" if self.kind == FileKind.JPEG else str(self.kind)

    @property
    def is_image(self) -> bool:
        return self.kind in (FileKind.PNG, FileKind.JPEG, FileKind.GIF, FileKind.WEBP)
