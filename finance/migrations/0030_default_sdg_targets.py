"""Each of the ten themes gets a default SDG target, so that the standards exports (the TOSSD
extract's SDG focus, the SDG 17.3.1 aggregate) have one for every activity. The focal point
changes them on the codes page; every target here is in IATI's UNSDG-Targets codelist
(tests/finance/test_codebook.py)."""

from django.db import migrations

# theme code -> SDG target
DEFAULTS = {
    "agri-technologies": "2.a",  # agricultural research, extension and technology
    "agri-production": "2.3",  # productivity and incomes of small-scale food producers
    "value-chains": "2.3",  # ... their access to markets and value addition
    "natural-resources": "2.4",  # sustainable food production, land and soil quality
    "climate-change": "13.1",  # resilience and adaptive capacity to climate hazards
    "financial-services": "8.10",  # access to banking, insurance and financial services
    "rural-enterprise": "8.3",  # entrepreneurship and small enterprises
    "skills": "4.4",  # skills for employment and entrepreneurship
    "producer-organizations": "2.3",  # small-scale producers' access to markets
    "gender": "5.a",  # women's equal rights to economic resources
}


def add_defaults(apps, schema_editor):
    Theme = apps.get_model("activities", "Theme")
    ThemeCode = apps.get_model("finance", "ThemeCode")
    for theme in Theme.objects.filter(code__in=DEFAULTS):
        ThemeCode.objects.get_or_create(
            theme=theme, scheme="sdg-target", defaults={"code": DEFAULTS[theme.code]}
        )


def remove_defaults(apps, schema_editor):
    ThemeCode = apps.get_model("finance", "ThemeCode")
    ThemeCode.objects.filter(scheme="sdg-target").delete()


class Migration(migrations.Migration):
    dependencies = [("finance", "0029_in_kind_and_codes")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
