"""The library's rows as select choices for integration settings that name one."""

from __future__ import annotations

from .models import QualityProfile, RootFolder


def root_folder_choices() -> list[tuple[int, str]]:
    return list(RootFolder.objects.order_by("path").values_list("pk", "path"))


def quality_profile_choices() -> list[tuple[int, str]]:
    return list(QualityProfile.objects.order_by("name").values_list("pk", "name"))
