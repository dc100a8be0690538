"""Each of the ten themes gets a default OECD DAC 5-digit purpose code, so that every activity of
the IATI file carries a DAC sector (vocabulary 1). The focal point changes them on the theme codes
page; every code here is active in IATI's Sector codelist (tests/finance/test_theme_codes.py)."""

from django.db import migrations

# theme code -> DAC purpose code (name in IATI's Sector codelist)
DEFAULTS = {
    "agri-technologies": "31166",  # Agricultural extension
    "agri-production": "31120",  # Agricultural development
    "value-chains": "32161",  # Agro-industries
    "natural-resources": "31130",  # Agricultural land resources
    "climate-change": "41010",  # Environmental policy and administrative management
    "financial-services": "31193",  # Agricultural financial services
    "rural-enterprise": "32130",  # Small and medium-sized enterprises (SME) development
    "skills": "11330",  # Vocational training
    "producer-organizations": "31194",  # Agricultural co-operatives
    # Gender is a DAC policy marker, not a sector: IFAD's gender work is in rural development.
    "gender": "43040",  # Rural development
}


def add_defaults(apps, schema_editor):
    Theme = apps.get_model("activities", "Theme")
    ThemeCode = apps.get_model("finance", "ThemeCode")
    for theme in Theme.objects.filter(code__in=DEFAULTS):
        ThemeCode.objects.get_or_create(
            theme=theme, scheme="dac-purpose", defaults={"code": DEFAULTS[theme.code]}
        )


def remove_defaults(apps, schema_editor):
    ThemeCode = apps.get_model("finance", "ThemeCode")
    ThemeCode.objects.filter(scheme="dac-purpose").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0002_load_reference_data"),
        ("finance", "0020_theme_codes"),
    ]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
