"""Summarise each BRIN page range of the history time indexes as soon as it fills (autovacuum work items), instead
of at the next vacuum: until then an unsummarised range matches every search (PostgreSQL only)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

INDEXES = ("catalog_pricehistory_time_brin", "catalog_stockhistory_time_brin")


def _set(schema_editor: BaseDatabaseSchemaEditor, value: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {index} SET (autosummarize = {value})")


def autosummarize_on(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _set(schema_editor, "on")


def autosummarize_off(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _set(schema_editor, "off")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_history_rollups")]
    operations = [migrations.RunPython(autosummarize_on, autosummarize_off)]
