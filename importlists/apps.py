from django.apps import AppConfig


class ImportListsConfig(AppConfig):
    name = "importlists"
    verbose_name = "Import lists"
