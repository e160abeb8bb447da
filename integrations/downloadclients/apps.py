from django.apps import AppConfig


class DownloadClientsConfig(AppConfig):
    name = "integrations.downloadclients"
    label = "downloadclients"
    verbose_name = "Download clients"

    def ready(self):
        from . import providers  # noqa: F401  (fills the registry)
