"""Emby: Jellyfin's ancestor, with the same REST API where this adapter uses it.

Where they differ (dev.emby.media "API Key Authentication"; shared notes §2): Emby takes
the key in the ``X-Emby-Token`` header (or an ``api_key`` query parameter, which we never
use) and creates keys under Dashboard → Advanced → Security; a user's items live under
``/Users/{id}/Items`` (Jellyfin 10.11 dropped that form for ``/Items?userId=``). Emby's
``/System/Info`` says "Emby Server" in ``ProductName`` or leaves it out; Jellyfin always
says "Jellyfin Server", so a Jellyfin server is refused by name.
"""

from __future__ import annotations

from urllib.parse import quote

from pydantic import Field, SecretStr

from .jellyfin import Jellyfin, JellyfinSettings


class EmbySettings(JellyfinSettings):
    api_key: SecretStr = Field(
        description="API key (Emby: Dashboard → Advanced → Security → Add); sent in a header, "
        "never in a URL"
    )


class Emby(Jellyfin):
    kind = "emby"
    label = "Emby"
    Settings = EmbySettings
    settings: EmbySettings
    key_help = "create one in Dashboard → Advanced → Security"
    other_product, other_kind = "Jellyfin", "jellyfin"

    def auth_headers(self) -> dict[str, str]:
        return {"X-Emby-Token": self.settings.api_key.get_secret_value()}

    def played_items_query(self, user_id: str, params: dict) -> tuple[str, dict]:
        return f"/Users/{quote(user_id, safe='')}/Items", params
