"""Give the roles their permissions on the metadata and import-list models (same rule
as 0002)."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from importlib import import_module

    import_module("idkarr.accounts.migrations.0002_roles").create_roles(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_mediaserver_roles"),
        ("metadata", "0001_initial"),
        ("importlists", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
