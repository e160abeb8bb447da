from django.apps import AppConfig


class MediaServersConfig(AppConfig):
    name = "integrations.mediaservers"
    label = "mediaservers"
    verbose_name = "Media servers"

    def ready(self):
        from . import (
            providers,  # noqa: F401  (fills the registry)
            updates,  # noqa: F401  (listens for library-changing events)
        )
