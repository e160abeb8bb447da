from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "idkarr.library"
    label = "library"
    verbose_name = "Library"
