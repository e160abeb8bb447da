"""Suite-wide fixtures: the loopback-only network guard and service helpers."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket

import pytest

pytest_plugins = ["tests.httpserver", "tests.proxy_fixtures"]

REQUIRE_SERVICES = os.environ.get("IDKARR_TEST_REQUIRE_SERVICES") == "1"


def require_binary(name: str) -> str:
    """Path of a daemon binary; skip the test when it is missing, fail under
    IDKARR_TEST_REQUIRE_SERVICES=1 (CI) so a missing daemon can't hide."""
    path = shutil.which(name) or (
        f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None
    )
    if path:
        return path
    if REQUIRE_SERVICES:
        pytest.fail(f"{name} is required (IDKARR_TEST_REQUIRE_SERVICES=1) but not installed")
    pytest.skip(f"{name} not installed")


def _is_loopback(host) -> bool:
    if host in (None, "", "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _check_address(sock, address):
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
        raise ConnectionRefusedError(
            f"test network guard: connection to {address[0]} outside loopback refused"
        )


def _guarded_connect(self, address):
    _check_address(self, address)
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    _check_address(self, address)
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if not _is_loopback(host):
        raise socket.gaierror(socket.EAI_NONAME, f"test network guard: lookup of {host} refused")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True, scope="session")
def loopback_only_network():
    """Every test runs with outbound connections limited to loopback."""
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    socket.getaddrinfo = _guarded_getaddrinfo
    yield
    socket.socket.connect = _real_connect
    socket.socket.connect_ex = _real_connect_ex
    socket.getaddrinfo = _real_getaddrinfo


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def fake_providers():
    """Register the test-only providers for one test."""
    from integrations.downloadclients.registry import registry as dc_registry
    from notifications.registry import registry as nt_registry

    from .fakes import FakeClient, FakeNotifier

    added = []
    for registry, cls in ((dc_registry, FakeClient), (nt_registry, FakeNotifier)):
        if cls.kind not in registry:
            registry.register(cls)
            added.append((registry, cls.kind))
    FakeNotifier.sent = []
    yield
    for registry, kind in added:
        registry._kinds.pop(kind, None)


def make_user(role: str, username: str | None = None):
    from django.contrib.auth.models import User

    user = User.objects.create_user(username or f"{role}-user", password="pw-" + role + "-123456")
    if role:
        user.groups.add(role_group(role))
    return user


def role_group(role: str):
    """The role's group with its permissions, as migration 0002 made it (transactional
    tests flush groups, and a group made again would otherwise hold no permissions)."""
    from django.contrib.auth.models import Group, Permission

    from idkarr.accounts.roles import role_permissions

    group, created = Group.objects.get_or_create(name=role)
    if created:
        wanted = [
            perm
            for app, model, action in role_permissions().get(role, [])
            for perm in Permission.objects.filter(
                content_type__app_label=app, codename=f"{action}_{model}"
            )
        ]
        group.permissions.set(wanted)
    return group


@pytest.fixture
def api_client_for(db):
    """``api_client_for(role)`` → a Django test Client authenticated by an API key of a user in that role."""
    from django.test import Client

    from idkarr.accounts.models import ApiKey

    def build(role: str):
        user = make_user(role)
        _, raw = ApiKey.issue(user)
        return Client(HTTP_X_API_KEY=raw)

    return build


@pytest.fixture
def operator_api(api_client_for):
    return api_client_for("operator")


@pytest.fixture
def console_for(db):
    """``console_for(role)``: a test Client logged in to the console as a staff user in
    that role's group."""
    from django.test import Client

    def build(role: str) -> Client:
        user = make_user(role)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        client = Client()
        client.force_login(user)
        return client

    return build
