from django.contrib.admin.apps import AdminConfig


class ConsoleAdminConfig(AdminConfig):
    """The Django admin, made the idkarr console (dashboard, add-provider flow)."""

    default_site = "idkarr.console.ConsoleSite"
