"""Partners' other names (former names, other spellings) and the key the partner search reads.

The key of the rows already there is filled here with the same folding as
activities.models.fold_text (written out again: a migration never imports app code).
"""

import re
import unicodedata

from django.db import migrations, models


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", kept).split())


def fill_search_keys(apps, schema_editor):
    Partner = apps.get_model("activities", "Partner")
    for partner in Partner.objects.only("pk", "name", "acronym").iterator(chunk_size=2000):
        names = [name for name in (partner.name, partner.acronym) if name]
        Partner.objects.filter(pk=partner.pk).update(
            search_key=" | ".join(_fold(name) for name in names)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0010_duplicate_pairs"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalpartner",
            name="aliases",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Former names and other names people write it as, one per line: the partner fields and the partner search find the organization by them too.",
                verbose_name="other names",
            ),
        ),
        migrations.AddField(
            model_name="partner",
            name="aliases",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Former names and other names people write it as, one per line: the partner fields and the partner search find the organization by them too.",
                verbose_name="other names",
            ),
        ),
        migrations.AddField(
            model_name="partner",
            name="search_key",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_search_keys, migrations.RunPython.noop),
    ]
