from __future__ import annotations

from django.contrib import admin

from integrations.admin import ProviderConfigAdmin

from .models import DownloadClient


@admin.register(DownloadClient)
class DownloadClientAdmin(ProviderConfigAdmin):
    """Download clients in the console: list with health, kind picker, generated settings form."""
