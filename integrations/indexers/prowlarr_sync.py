"""Pull sync: import a Prowlarr instance's indexers as idkarr Torznab/Newznab indexers.

Each imported indexer points at Prowlarr's proxied endpoint for it
(``{prowlarr}/{id}/`` + ``/api``, Prowlarr's API key), is named ``"<name> (Prowlarr)"``
and remembers where it came from (``managed_by`` = the Prowlarr row, ``remote_id`` =
Prowlarr's id). What gets imported follows Prowlarr's own application sync:

* only indexers carrying one of the configured Prowlarr tags (no tags: all of them);
* only indexers with a search, TV search or movie search capability, and with at
  least one category in ``sync_categories`` / ``anime_sync_categories``; their
  ``categories`` / ``anime_categories`` are the intersection;
* a new indexer only when it is enabled in Prowlarr; RSS/search are on when it is
  enabled and its Prowlarr sync profile (appprofile) allows them.

Sync levels: ``disabled`` does nothing; ``add_remove`` adds new indexers and removes
ones gone from Prowlarr or no longer matching (tags, capabilities, categories) but
never changes an existing row; ``full`` also brings name, kind, URL, key, categories,
priority and the RSS/search flags up to date, leaving what Prowlarr doesn't manage
(enabled, TLS check, timeout, RSS interval, other settings) to the user.

The network comes first; the writes of one sync are one transaction. A Prowlarr that
fails (401, 5xx, HTML, timeout) changes nothing, and its error is stored on the
sync state and raised to the caller.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from pydantic import ValidationError

from integrations import secrets as secret_store
from integrations.errors import ConfigurationError, IntegrationError

from .base import Protocol
from .models import Indexer, ProwlarrSyncState
from .providers.prowlarr.mapping import RemoteIndexer, number_field

log = logging.getLogger(__name__)

KIND = "prowlarr"
KIND_BY_PROTOCOL = {"torrent": "torznab", "usenet": "newznab"}
# Settings a sync owns; everything else on an imported indexer belongs to the user.
MANAGED_SETTINGS = (
    "base_url",
    "api_path",
    "api_key",
    "categories",
    "anime_categories",
    "priority",
    "enable_rss",
    "enable_search",
    "minimum_seeders",
    "seed_ratio",
    "seed_time_minutes",
    "season_pack_seed_time_minutes",
)
# Inherited from the Prowlarr row when an indexer is first imported (same host).
INHERITED_SETTINGS = ("verify_tls", "timeout_seconds")
NAME_MAX = 100


@dataclass
class SyncReport:
    """What one sync did. Name lists hold idkarr indexer names."""

    level: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)  # {name, reason}
    renamed: list[dict[str, str]] = field(default_factory=list)  # {name, wanted, reason}
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        if self.level == "disabled":
            return self.message
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.removed)} removed",
            f"{len(self.unchanged)} unchanged",
        ]
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        return ", ".join(parts)


@dataclass
class _Wanted:
    """The idkarr indexer a Prowlarr indexer should be."""

    remote: RemoteIndexer
    kind: str
    settings: dict[str, Any]

    @property
    def name(self) -> str:
        suffix = " (Prowlarr)"
        return self.remote.name[: NAME_MAX - len(suffix)] + suffix


class _Skip(Exception):
    pass


# -- entry points ---------------------------------------------------------------------
def interval() -> timedelta:
    return timedelta(minutes=max(1, int(getattr(django_settings, "PROWLARR_SYNC_INTERVAL", 60))))


def sync(config: Indexer) -> SyncReport:
    """Pull ``config``'s indexers now. Returns the report; raises the IntegrationError
    of a Prowlarr that could not be read (nothing changed then, the error is stored)."""
    if config.kind != KIND:
        raise ConfigurationError(f"{config.name} is not a Prowlarr instance; only Prowlarr syncs")
    try:
        provider = config.build_provider()
        options = provider.settings
        if options.sync_level == "disabled":
            report = SyncReport(
                level="disabled",
                message="Sync is off for this Prowlarr (sync level: disabled); "
                "choose add and remove or full sync to import its indexers",
            )
            with transaction.atomic():
                _record(config, report=report)
            return report
        with provider:
            remote = provider.remote_indexers()
            profiles = {p.get("id"): p for p in provider.api.app_profiles() if isinstance(p, dict)}
        report = SyncReport(level=options.sync_level)
        wanted = _wanted(config, options, remote, profiles, report)
        with transaction.atomic():
            ProwlarrSyncState.objects.get_or_create(indexer=config)
            ProwlarrSyncState.objects.select_for_update().filter(indexer=config).first()
            _apply(config, options, remote, wanted, report)
            report.message = report.summary()
            _record(config, report=report)
    except IntegrationError as exc:
        _record(config, error=exc.message)
        raise
    except Exception as exc:
        log.exception("Prowlarr sync of %s crashed", config)
        _record(config, error=f"Sync failed with an internal error ({type(exc).__name__})")
        raise
    log.info("Prowlarr sync of %s: %s", config.name, report.summary())
    return report


def sync_due() -> int:
    """Beat entry point: sync every enabled Prowlarr whose sync is due. Each one is
    claimed with a conditional UPDATE first, so two dispatchers never sync the same one.
    Returns how many were synced (successfully or not)."""
    now = timezone.now()
    done = 0
    for config in Indexer.objects.filter(kind=KIND, enabled=True).order_by("pk"):
        if (config.settings or {}).get("sync_level") == "disabled":
            continue
        if config.disabled_until and config.disabled_until > now:
            continue
        state, _ = ProwlarrSyncState.objects.get_or_create(indexer=config)
        if state.next_sync_at is not None and state.next_sync_at > now:
            continue
        same = (
            Q(next_sync_at__isnull=True)
            if state.next_sync_at is None
            else Q(next_sync_at=state.next_sync_at)
        )
        if not ProwlarrSyncState.objects.filter(same, pk=state.pk).update(
            next_sync_at=now + interval()
        ):
            continue  # another dispatcher took it
        try:
            sync(config)
        except IntegrationError as exc:
            log.warning("Prowlarr sync of %s failed: %s", config.name, exc.message)
        except Exception:  # logged and recorded by sync(); must not stop the others
            log.debug("Prowlarr sync of %s crashed; continuing", config.name)
        done += 1
    return done


# -- planning (no DB writes) ---------------------------------------------------------------
def _wanted(config, options, remote, profiles, report: SyncReport) -> dict[int, _Wanted]:
    """The eligible Prowlarr indexers by id, each with its target settings; the others
    are reported as skipped."""
    out: dict[int, _Wanted] = {}
    for indexer in sorted(remote, key=lambda i: (i.name.lower(), i.id)):
        try:
            out[indexer.id] = _target(config, options, indexer, profiles)
        except _Skip as why:
            report.skipped.append({"name": indexer.name, "reason": str(why)})
    return out


def _target(config, options, indexer: RemoteIndexer, profiles) -> _Wanted:
    if options.tags and not indexer.tags & set(options.tags):
        raise _Skip("has none of the sync tags")
    kind = KIND_BY_PROTOCOL.get(indexer.protocol)
    if kind is None:
        raise _Skip(f"its protocol ({indexer.protocol or 'none'}) is neither torrent nor usenet")
    if not indexer.searchable:
        raise _Skip("it has no search, TV search or movie search capability")
    categories = sorted(indexer.categories & set(options.sync_categories))
    anime = sorted(indexer.categories & set(options.anime_sync_categories))
    if not categories and not anime:
        shown = ", ".join(str(c) for c in sorted(indexer.categories)[:8]) or "none"
        raise _Skip(f"none of its categories ({shown}) is a sync category")
    profile = profiles.get(indexer.app_profile_id) or {}
    rss_ok = profile.get("enableRss", True) is not False
    search_ok = bool(
        profile.get("enableAutomaticSearch", True) or profile.get("enableInteractiveSearch", True)
    )
    target = _Wanted(
        remote=indexer,
        kind=kind,
        settings={
            "base_url": f"{options.base_url.rstrip('/')}/{indexer.id}/",
            "api_path": "/api",
            "api_key": options.api_key.get_secret_value() if options.api_key else "",
            "categories": categories,
            "anime_categories": anime,
            "priority": min(50, max(1, indexer.priority)),
            "enable_rss": indexer.enable and rss_ok,
            "enable_search": indexer.enable and search_ok,
        },
    )
    if kind == "torznab":
        # As Prowlarr sends Sonarr: the indexer's own seeding rules, else its profile's.
        minimum = number_field(indexer, "torrentBaseSettings.appMinimumSeeders")
        seed_time = number_field(indexer, "torrentBaseSettings.seedTime")
        pack_time = number_field(indexer, "torrentBaseSettings.packSeedTime")
        target.settings.update(
            minimum_seeders=int(
                minimum if minimum is not None else profile.get("minimumSeeders", 1)
            ),
            seed_ratio=number_field(indexer, "torrentBaseSettings.seedRatio"),
            seed_time_minutes=int(seed_time) if seed_time is not None else None,
            season_pack_seed_time_minutes=int(pack_time) if pack_time is not None else None,
        )
    return target


# -- applying (inside the transaction) --------------------------------------------------------
def _apply(config, options, remote, wanted: dict[int, _Wanted], report: SyncReport) -> None:
    present = {i.id for i in remote}
    rows = {r.remote_id: r for r in Indexer.objects.filter(managed_by=config).order_by("pk")}
    gone = sorted(
        (r for rid, r in rows.items() if rid not in present or rid not in wanted),
        key=lambda r: r.name.lower(),
    )
    for row in gone:
        why = "gone from Prowlarr" if row.remote_id not in present else "no longer matches"
        log.info("Prowlarr sync of %s removes %s (%s)", config.name, row.name, why)
        report.removed.append(row.name)
        row.delete()
    taken = {
        n.lower()
        for n in Indexer.objects.exclude(pk__in=[r.pk for r in gone]).values_list("name", flat=True)
    }
    for rid, target in wanted.items():
        row = rows.get(rid)
        if row is None:
            if not target.remote.enable:
                report.skipped.append(
                    {"name": target.remote.name, "reason": "it is disabled in Prowlarr"}
                )
                continue
            _add(config, options, target, taken, report)
        elif options.sync_level == "full":
            _update(config, row, target, taken, report)
        else:
            report.unchanged.append(row.name)


def _add(config, options, target: _Wanted, taken: set[str], report: SyncReport) -> None:
    data = dict(target.settings)
    data.update({k: getattr(options, k) for k in INHERITED_SETTINGS})
    try:
        values = _normalized(target.kind, data)
        name = _free_name(config, target, taken, report)
    except _Skip as why:
        report.skipped.append({"name": target.remote.name, "reason": str(why)})
        return
    row = Indexer(name=name, kind=target.kind, enabled=True, managed_by=config)
    row.remote_id = target.remote.id
    _put(row, target.kind, values)
    row.save()
    taken.add(name.lower())
    report.added.append(name)


def _update(config, row: Indexer, target: _Wanted, taken: set[str], report: SyncReport) -> None:
    current = {**row.stored_settings(), **row.get_secrets()}
    data = {k: v for k, v in current.items() if k not in MANAGED_SETTINGS}
    data.update(target.settings)
    taken.discard(row.name.lower())
    try:
        values = _normalized(target.kind, data)
        name = row.name if row.name == target.name else _free_name(config, target, taken, report)
    except _Skip as why:
        taken.add(row.name.lower())
        report.skipped.append({"name": target.remote.name, "reason": str(why)})
        report.unchanged.append(row.name)
        return
    taken.add(name.lower())
    same = (
        name == row.name
        and target.kind == row.kind
        and all(current.get(k) == values.get(k) for k in MANAGED_SETTINGS)
    )
    if same:
        report.unchanged.append(row.name)
        return
    row.name, row.kind = name, target.kind
    _put(row, target.kind, values)
    row.save()
    report.updated.append(name)


def _secret_names(kind: str) -> list[str]:
    if kind in Indexer.registry:
        return Indexer.registry.get(kind).Settings.secret_fields()
    return ["api_key"]


def _normalized(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as the kind's Settings validate and store it (so comparing with a stored
    row is exact). Without a registered provider for the kind, ``data`` as it is."""
    if kind not in Indexer.registry:
        # A build without the Torznab/Newznab providers: store the shape they use.
        return dict(data)
    model = Indexer.registry.get(kind).Settings
    known = {k: v for k, v in data.items() if k in model.model_fields}
    try:
        validated = model.model_validate(known)
    except ValidationError as exc:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        raise _Skip(
            f"idkarr rejected its settings ({where}: {first.get('msg', 'invalid')})"
        ) from None
    return {**validated.public_dict(), **validated.secret_dict()}


def _put(row: Indexer, kind: str, values: dict[str, Any]) -> None:
    """Store validated values on ``row``: column fields on columns, secrets encrypted."""
    row.protocol = Protocol.USENET.value if kind == "newznab" else Protocol.TORRENT.value
    secret_names = set(_secret_names(kind))
    public = {k: v for k, v in values.items() if k not in secret_names}
    for column in Indexer.column_settings:
        if column in public:
            setattr(row, column, public.pop(column))
    row.settings = public
    row.secrets = secret_store.encrypt({k: values[k] for k in secret_names if values.get(k)})


def _free_name(config, target: _Wanted, taken: set[str], report: SyncReport) -> str:
    """``"<name> (Prowlarr)"``, or when another indexer has that name, the first free of
    ``"<name> (<Prowlarr row name>)"``, ``"<name> (Prowlarr <n>)"``, n = 2, 3, …"""
    wanted = target.name
    if wanted.lower() not in taken:
        return wanted
    base = target.remote.name
    candidates = [f" ({config.name})"] + [f" (Prowlarr {n})" for n in range(2, 1000)]
    for suffix in candidates:
        name = base[: NAME_MAX - len(suffix)] + suffix
        if name.lower() not in taken:
            report.renamed.append(
                {
                    "name": name,
                    "wanted": wanted,
                    "reason": f"another indexer is already named {wanted}",
                }
            )
            return name
    raise _Skip(f"there is no free name for {wanted}")


# -- state ------------------------------------------------------------------------------------
def _record(config: Indexer, *, report: SyncReport | None = None, error: str = "") -> None:
    now = timezone.now()
    values: dict[str, Any] = {"last_sync_at": now, "next_sync_at": now + interval()}
    if report is not None:
        values.update(last_ok_at=now, last_error="", last_report=report.to_dict())
    else:
        values["last_error"] = error[:500]
    ProwlarrSyncState.objects.update_or_create(indexer=config, defaults=values)


__all__ = ["SyncReport", "interval", "sync", "sync_due"]
