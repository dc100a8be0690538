"""The corporate core indicators the issue names and the disaggregation dimensions every
activity can use from the start, so that a new portal's frameworks roll up from day one. The
focal point keeps both lists afterwards (renames, new entries, retiring one).

Idempotent: a row is found by its code (indicators) or name (dimensions) and left as the focal
point may have changed it. Reversible: going back removes the rows that no activity uses; one in
use stays (PROTECT would refuse its deletion, and its history would lose its meaning).
"""

from django.db import migrations

# code -> (title, definition, kind, unit, measure, aggregation, source); measure is IATI's
# IndicatorMeasure code (1 unit, 5 qualitative).
CORE_INDICATORS = {
    "people-trained": (
        "People trained",
        "People who took part in a training, a learning route or an exchange visit and "
        "completed it.",
        "quantitative",
        "people",
        "1",
        "sum",
        "updates",
    ),
    "institutions-strengthened": (
        "Institutions strengthened",
        "Organizations (government services, farmers' organizations, NGOs, research centres, "
        "firms) whose capacity the activity strengthened, with evidence of the change.",
        "quantitative",
        "institutions",
        "1",
        "sum",
        "updates",
    ),
    "innovations-adopted": (
        "Innovations adopted",
        "Practices, technologies or approaches seen through the exchange that the guest side "
        "put into use.",
        "quantitative",
        "innovations",
        "1",
        "sum",
        "updates",
    ),
    "policies-influenced": (
        "Policies influenced",
        "A policy, strategy, law or regulation the exchange informed: described in the update, "
        "counted when marked achieved.",
        "qualitative",
        "",
        "5",
        "achieved",
        "updates",
    ),
    "action-plans-implemented": (
        "Action plans implemented",
        "Learning-route action plans whose latest recorded follow-up (at 3, 6 or 12 months) "
        "found them adopted: counted from the follow-ups, not reported as updates.",
        "quantitative",
        "action plans",
        "1",
        "sum",
        "plan_follow_ups",
    ),
    "follow-up-activities-financed": (
        "Follow-up activities financed",
        "Activities that carry the exchange further (a follow-up, a reciprocity visit, a "
        "scaling-up investment) and found their financing.",
        "quantitative",
        "activities",
        "1",
        "sum",
        "updates",
    ),
}

DIMENSIONS = {
    "Sex": ("Women", "Men"),
    "Age group": ("Youth 15-35", "Adults 36+"),
    "Organization type": ("Government", "Farmers' organization", "NGO", "Research", "Private"),
}


def add_library(apps, schema_editor):
    CoreIndicator = apps.get_model("results", "CoreIndicator")
    Dimension = apps.get_model("results", "Dimension")
    DimensionValue = apps.get_model("results", "DimensionValue")
    for position, (code, row) in enumerate(CORE_INDICATORS.items()):
        title, description, kind, unit, measure, aggregation, source = row
        CoreIndicator.objects.get_or_create(
            code=code,
            defaults={
                "title": title,
                "description": description,
                "kind": kind,
                "unit": unit,
                "measure": measure,
                "aggregation": aggregation,
                "source": source,
                "position": position,
            },
        )
    for position, (name, values) in enumerate(DIMENSIONS.items()):
        dimension, created = Dimension.objects.get_or_create(
            name=name, defaults={"position": position}
        )
        if not created:
            continue  # the focal point's list of values stands
        for value_position, value in enumerate(values):
            DimensionValue.objects.create(dimension=dimension, value=value, position=value_position)


def remove_library(apps, schema_editor):
    CoreIndicator = apps.get_model("results", "CoreIndicator")
    Dimension = apps.get_model("results", "Dimension")
    Indicator = apps.get_model("results", "Indicator")
    TargetDisaggregation = apps.get_model("results", "TargetDisaggregation")
    UpdateDisaggregation = apps.get_model("results", "UpdateDisaggregation")
    CoreIndicator.objects.filter(code__in=CORE_INDICATORS).exclude(
        pk__in=Indicator.objects.filter(core__isnull=False).values("core_id")
    ).delete()
    used_values = set(TargetDisaggregation.objects.values_list("dimension_value_id", flat=True))
    used_values |= set(UpdateDisaggregation.objects.values_list("dimension_value_id", flat=True))
    used = Indicator.dimensions.through.objects.values("dimension_id")
    Dimension.objects.filter(name__in=DIMENSIONS).exclude(pk__in=used).exclude(
        values__in=used_values
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("results", "0001_initial")]

    operations = [migrations.RunPython(add_library, remove_library)]
