from django.apps import AppConfig


class ImportListsConfig(AppConfig):
    name = "importlists"
    verbose_name = "Import lists"

    def ready(self):
        from . import providers  # noqa: F401  (fills the registry)
