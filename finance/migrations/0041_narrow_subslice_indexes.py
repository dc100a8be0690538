"""The cells' and totals' sub-slice indexes keyed on the year, division and modality (the cells'
on their grain too) rather than on every sub-slice column: a first build sorts these keys once
for every cell, and a key of five text columns took it about three times as long, for no faster
refresh (benchmarks/README.md). Reversed, the wide keys come back."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0014_division_status_index'),
        ('finance', '0040_in_kind_quantities'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='activityyeartotal',
            name='rollup_activity_year_subslice',
        ),
        migrations.RemoveIndex(
            model_name='rollupcell',
            name='rollup_cell_subslice',
        ),
        migrations.AddIndex(
            model_name='activityyeartotal',
            index=models.Index(fields=['year', 'division', 'modality'], name='rollup_activity_year_subslice'),
        ),
        migrations.AddIndex(
            model_name='rollupcell',
            index=models.Index(fields=['year', 'division', 'modality', 'grain'], name='rollup_cell_subslice'),
        ),
    ]
