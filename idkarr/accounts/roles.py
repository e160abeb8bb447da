"""Roles: admin (everything), operator (manage integrations, run tests; no users, no
custom scripts), viewer (read only). Stored as Django groups; superusers are admins."""

from __future__ import annotations

ADMIN, OPERATOR, VIEWER = "admin", "operator", "viewer"
ROLES = (VIEWER, OPERATOR, ADMIN)  # ascending power
_RANK = {role: i for i, role in enumerate(ROLES)}

# Model permissions each role's group gets (app_label, model, actions) — the console
# (Django admin) enforces these; the API checks the role rank.
_INTEGRATION_MODELS = [
    ("downloadclients", "downloadclient"),
    ("indexers", "indexer"),
    ("mediaservers", "mediaserver"),
    ("metadata", "metadatasource"),
    ("importlists", "importlist"),
    ("importlists", "importlistexclusion"),
    ("integrations", "proxy"),
    ("notifications", "notificationtarget"),
]
_LIBRARY_MODELS = [
    ("library", model)
    for model in (
        "series",
        "episode",
        "movie",
        "tag",
        "qualityprofile",
        "rootfolder",
        "episodefile",
        "moviefile",
        "season",
    )
]
_READ_MODELS = (
    _INTEGRATION_MODELS
    + [("notifications", "event"), ("notifications", "delivery"), ("indexers", "release")]
    + [("mediaservers", "libraryupdate"), ("importlists", "listeditem")]
    + _LIBRARY_MODELS
)


def role_permissions() -> dict[str, list[tuple[str, str, str]]]:
    view = [(app, model, "view") for app, model in _READ_MODELS]
    manage = [
        (app, model, action)
        for app, model in _INTEGRATION_MODELS + _LIBRARY_MODELS
        for action in ("add", "change", "delete")
    ] + [("accounts", "apikey", a) for a in ("view", "add", "change")]
    everything = (
        view
        + manage
        + [("auth", "user", a) for a in ("view", "add", "change", "delete")]
        + [("accounts", "apikey", "delete"), ("auth", "group", "view")]
    )
    return {VIEWER: view, OPERATOR: view + manage, ADMIN: everything}


def role_of(user) -> str | None:
    """The strongest role a user holds, or None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return ADMIN
    names = {g.name for g in user.groups.all()}
    for role in reversed(ROLES):
        if role in names:
            return role
    return None


def has_role(user, needed: str) -> bool:
    role = role_of(user)
    return role is not None and _RANK[role] >= _RANK[needed]
