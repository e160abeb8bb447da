"""The integration families this install knows, by family name and by API path."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class Family:
    name: str  # provider family (download_client, notification, …)
    path: str  # API path segment (download-clients, notifications, …)
    model_label: str  # app_label.ModelName
    label: str

    @property
    def model(self):
        return apps.get_model(self.model_label)

    @property
    def registry(self):
        return self.model.registry


FAMILIES: tuple[Family, ...] = (
    Family(
        "download_client", "download-clients", "downloadclients.DownloadClient", "Download clients"
    ),
    Family("indexer", "indexers", "indexers.Indexer", "Indexers"),
    Family("media_server", "media-servers", "mediaservers.MediaServer", "Media servers"),
    Family("metadata", "metadata", "metadata.MetadataSource", "Metadata sources"),
    Family("import_list", "import-lists", "importlists.ImportList", "Import lists"),
    Family("proxy", "proxies", "integrations.Proxy", "Proxies"),
    Family("notification", "notifications", "notifications.NotificationTarget", "Notifications"),
)

BY_NAME = {f.name: f for f in FAMILIES}
BY_PATH = {f.path: f for f in FAMILIES}


def family_of(config) -> Family:
    return BY_NAME[type(config).family]
