from django.apps import AppConfig


class IndexersConfig(AppConfig):
    name = "integrations.indexers"
    label = "indexers"
    verbose_name = "Indexers"

    def ready(self):
        from . import providers  # noqa: F401  (fills the registry)
