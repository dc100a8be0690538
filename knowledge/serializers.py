"""What the REST API shows of knowledge assets, and what it takes: an asset's title and abstract
in other languages (the rest is written through the library's pages, where uploads are
checked)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.text import validate_multi_line_text, validate_single_line_text
from activities.models import Visibility
from activities.texts import ContentLanguage

from .models import AssetFile, AssetType, KnowledgeAsset, Language, Licence


class AssetFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text=_("Where to download it (same access)."))

    class Meta:
        model = AssetFile
        fields = ["id", "original_name", "kind", "size", "pages", "sha256", "url"]

    def get_url(self, row: AssetFile) -> str:
        request = self.context.get("request")
        path = reverse("knowledge:file_download", args=[row.asset_id, row.pk])
        return request.build_absolute_uri(path) if request is not None else path


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    acronym = serializers.CharField()


class AssetTextSerializer(serializers.Serializer):
    """The asset's title and abstract in one other language (read and write)."""

    language = serializers.ChoiceField(choices=ContentLanguage.choices)
    # The model's own text rules, so that a refusal names the version's field (texts.0.title).
    title = serializers.CharField(max_length=300, validators=[validate_single_line_text])
    abstract = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, validators=[validate_multi_line_text]
    )


TEXTS_HELP = _(
    "The title and abstract in other languages (English, French, Spanish, Arabic), one entry "
    "per language other than the asset's own."
)


class AssetTextsInput(serializers.Serializer):
    """What a client sends to change an asset (PUT, PATCH): its versions in other languages.
    PATCH: left out, they are kept; PUT: left out, they are removed."""

    updated_at = serializers.DateTimeField(
        help_text=_(
            "The asset's updated_at as you read it: if it was changed since, the change is "
            "refused with 409."
        )
    )
    texts = AssetTextSerializer(  # type: ignore[call-arg]
        many=True,
        required=False,
        max_length=len(ContentLanguage.values),
        help_text=TEXTS_HELP,
    )


class KnowledgeAssetSerializer(serializers.ModelSerializer):
    """An asset as a list shows it: everything but its long texts."""

    asset_type = serializers.ChoiceField(choices=AssetType.choices)
    language = serializers.ChoiceField(choices=Language.choices)
    licence = serializers.ChoiceField(choices=Licence.choices)
    visibility = serializers.ChoiceField(choices=Visibility.choices)
    division = serializers.CharField(source="division.code")
    countries: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="iso2", many=True, read_only=True
    )
    themes: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    sdgs: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="number", many=True, read_only=True
    )
    author_organizations = AuthorSerializer(many=True, read_only=True)
    activities: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="ssc_id",
        many=True,
        read_only=True,
        help_text=_("SSC IDs of the linked activities you may see."),
    )
    files = AssetFileSerializer(many=True, read_only=True)
    texts = AssetTextSerializer(many=True, read_only=True, help_text=TEXTS_HELP)
    page = serializers.SerializerMethodField(help_text=_("The asset's page in the portal."))

    class Meta:
        model = KnowledgeAsset
        fields = [
            "id",
            "asset_type",
            "title",
            "abstract",
            "language",
            "texts",
            "published_on",
            "division",
            "countries",
            "themes",
            "sdgs",
            "author_organizations",
            "activities",
            "external_url",
            "licence",
            "visibility",
            "files",
            "page",
            "created_at",
            "updated_at",
        ]

    def get_page(self, asset: KnowledgeAsset) -> str:
        request = self.context.get("request")
        path = asset.get_absolute_url()
        return request.build_absolute_uri(path) if request is not None else path


class KnowledgeAssetDetailSerializer(KnowledgeAssetSerializer):
    """One asset, with its body."""

    class Meta(KnowledgeAssetSerializer.Meta):
        fields = [*KnowledgeAssetSerializer.Meta.fields, "body"]
