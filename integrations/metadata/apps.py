from django.apps import AppConfig


class MetadataConfig(AppConfig):
    name = "integrations.metadata"
    label = "metadata"
    verbose_name = "Metadata sources"

    def ready(self):
        from . import providers  # noqa: F401  (fills the registry)
