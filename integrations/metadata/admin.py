from __future__ import annotations

from django.contrib import admin

from integrations.admin import ProviderConfigAdmin

from .models import MetadataSource


@admin.register(MetadataSource)
class MetadataSourceAdmin(ProviderConfigAdmin):
    list_display = [*ProviderConfigAdmin.list_display, "priority"]
