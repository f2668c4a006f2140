"""GIN indexes for the staff's full-text search of allegations (summary, facts, place), in
the Spanish and English configurations — PostgreSQL only. The expressions are built by
`complaints.search.allegation_vector`, the same one the search queries use, so the planner
matches them. On SQLite the search falls back to `icontains` and no index is created."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from complaints.search import fts_indexes

    Allegation = apps.get_model("complaints", "Allegation")
    for index in fts_indexes():
        schema_editor.add_index(Allegation, index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from complaints.search import fts_indexes

    Allegation = apps.get_model("complaints", "Allegation")
    for index in fts_indexes():
        schema_editor.remove_index(Allegation, index)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0003_integrity_guards")]

    operations = [migrations.RunPython(create, drop)]
