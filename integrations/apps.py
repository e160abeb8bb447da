from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self):
        import idkarr.celery  # noqa: F401  (makes it the current app for shared_task)

        from . import checks  # noqa: F401  (registers system checks)
        from .proxies import register_all

        register_all()
