"""Every side already on an activity gets its confirmation, to confirm: the activities recorded
before counterparts confirmed them wait for it. Their `asked_at` stays empty, so that the
reminders do not mail every counterpart about years of past activities at once; they are asked
when the CPM or an edit asks them.

Plain INSERT ... SELECT statements, the same on PostgreSQL and SQLite, so that a portal with
hundreds of thousands of roles migrates in seconds.
"""

from django.db import migrations

FORWARD = [
    """
    INSERT INTO counterparts_confirmation
        (activity_id, country_link_id, partner_link_id, state, facts, version, updated_at)
    SELECT link.activity_id, link.id, NULL, 'proposed', '{}', 1, CURRENT_TIMESTAMP
    FROM activities_activitycountry link
    WHERE NOT EXISTS (
        SELECT 1 FROM counterparts_confirmation c WHERE c.country_link_id = link.id
    )
    """,
    """
    INSERT INTO counterparts_confirmation
        (activity_id, country_link_id, partner_link_id, state, facts, version, updated_at)
    SELECT link.activity_id, NULL, link.id, 'proposed', '{}', 1, CURRENT_TIMESTAMP
    FROM activities_activitypartner link
    WHERE NOT EXISTS (
        SELECT 1 FROM counterparts_confirmation c WHERE c.partner_link_id = link.id
    )
    """,
    """
    UPDATE activities_activity SET agreement = 'waiting'
    WHERE id IN (SELECT activity_id FROM counterparts_confirmation)
    """,
]

BACKWARD = [
    "UPDATE activities_activity SET agreement = 'none'",
    "DELETE FROM counterparts_confirmation",
]


class Migration(migrations.Migration):
    dependencies = [("counterparts", "0001_initial")]

    operations = [
        migrations.RunSQL(FORWARD, reverse_sql=BACKWARD),
    ]
