"""The partners earlier imports made of the workbook's group labels ("Other contributors (FAO)")
become contributor groups: their ledger lines move to the group, the fake partner goes.

Only a partner that nothing but ledger lines points at is converted: one linked to an activity,
a user or anything else was made or used as an organization by someone, and is left alone. No
amount, date or rate moves, so every figure that sums the ledger stays equal; the contributor
is not a dimension of the roll-ups. The label parsing is copied from
finance.contributor_groups, as a migration must not import app code: it reads what it did on
the day it ran. Reversed, each group with lines becomes a partner of type "other" again.
"""

import re
import unicodedata

from django.db import migrations

GROUP_LABEL = re.compile(
    r"(?:others?|various)(?:\s+(?:contributors?|donors?|partners?|organi[sz]ations?))?"
    r"\s*(?:\((?P<names>[^()]*)\))?\.?",
    re.IGNORECASE,
)
NAME_SEPARATORS = re.compile(r"\s*[,;/]\s*|\s+and\s+|\s*&\s*")


def normalize_name(name):
    kept = "".join(ch if ch.isalnum() else " " for ch in name.casefold())
    return " ".join(kept.split())


def fold(text):
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", kept).split())


def group_names(label):
    match = GROUP_LABEL.fullmatch(" ".join(label.split()))
    if match is None:
        return None
    return [name for name in NAME_SEPARATORS.split(match.group("names") or "") if name]


def only_ledger_points_at(partner, relations, entry_model):
    """Nothing but ledger lines (and history rows, which keep ids only) names the partner."""
    for relation in relations:
        if relation.related_model is entry_model:
            continue
        if relation.related_model._meta.model_name.startswith("historical"):
            continue
        if relation.related_model.objects.filter(**{relation.field.name: partner}).exists():
            return False
    return True


def members_finder(apps):
    """name -> partner, for organizations (name or acronym) and countries' governments."""
    Partner = apps.get_model("activities", "Partner")
    Country = apps.get_model("activities", "Country")
    by_key = {}
    for partner in Partner.objects.order_by("pk"):
        by_key.setdefault(("org", partner.name_key), partner)
        if partner.acronym:
            by_key.setdefault(("org", normalize_name(partner.acronym)), partner)
        if partner.type == "government" and partner.country_id:
            by_key.setdefault(("country", partner.country_id), partner)
    countries = {}
    for country in Country.objects.all():
        for name in (country.name, country.official_name, country.iso3, *country.aliases):
            if name:
                countries.setdefault(fold(name), country.pk)

    def find(names):
        found = []
        for name in names:
            partner = by_key.get(("org", normalize_name(name)))
            if partner is None and fold(name) in countries:
                partner = by_key.get(("country", countries[fold(name)]))
            if partner is not None and partner not in found:
                found.append(partner)
        return found

    return find


def partners_to_groups(apps, schema_editor):
    Partner = apps.get_model("activities", "Partner")
    FinancialEntry = apps.get_model("finance", "FinancialEntry")
    ContributorGroup = apps.get_model("finance", "ContributorGroup")
    # Hidden relations too (related_name="+", as a contribution proposal's): each protects.
    relations = [
        field
        for field in Partner._meta.get_fields(include_hidden=True)
        if field.is_relation and field.auto_created and not field.concrete
    ]
    fakes = [
        partner
        for partner in Partner.objects.order_by("pk")
        if group_names(partner.name) is not None
        and only_ledger_points_at(partner, relations, FinancialEntry)
    ]
    if not fakes:
        return
    find = members_finder(apps)
    for partner in fakes:
        group, created = ContributorGroup.objects.get_or_create(
            label_key=normalize_name(partner.name), defaults={"label": partner.name}
        )
        if created:
            group.members.set([m for m in find(group_names(partner.name)) if m not in fakes])
        FinancialEntry.objects.filter(contributor=partner).update(
            contributor=None, contributor_group=group
        )
        partner.delete()


def groups_to_partners(apps, schema_editor):
    Partner = apps.get_model("activities", "Partner")
    FinancialEntry = apps.get_model("finance", "FinancialEntry")
    ContributorGroup = apps.get_model("finance", "ContributorGroup")
    for group in ContributorGroup.objects.filter(entries__isnull=False).distinct():
        partner, _created = Partner.objects.get_or_create(
            name_key=group.label_key,
            country=None,
            defaults={"name": group.label, "type": "other"},
        )
        FinancialEntry.objects.filter(contributor_group=group).update(
            contributor=partner, contributor_group=None
        )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0008_activity_agreement"),
        ("finance", "0033_contributor_groups"),
    ]

    operations = [migrations.RunPython(partners_to_groups, groups_to_partners)]
