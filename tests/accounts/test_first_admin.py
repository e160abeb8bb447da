"""The first admin on a fresh install: its generated password goes to a file only the
owner can read, never to the output (which service managers and containers log)."""

from __future__ import annotations

import stat

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh(settings, tmp_path, monkeypatch):
    get_user_model().objects.all().delete()
    monkeypatch.delenv("IDKARR_ADMIN_USER", raising=False)
    monkeypatch.delenv("IDKARR_ADMIN_PASSWORD", raising=False)
    settings.DATA_DIR = tmp_path
    return tmp_path / "initial-admin-password"


def test_a_generated_password_is_never_printed(fresh, capsys):
    call_command("ensure_admin")
    out = capsys.readouterr().out
    assert str(fresh) in out
    assert fresh.read_text().strip() not in out


def test_the_generated_password_file_is_readable_by_its_owner_only(fresh):
    call_command("ensure_admin")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600


def test_the_password_in_the_file_signs_the_admin_in(fresh):
    call_command("ensure_admin")
    user = authenticate(username="admin", password=fresh.read_text().strip())
    assert user is not None and user.is_superuser


def test_a_password_from_the_environment_writes_no_file(fresh, monkeypatch):
    monkeypatch.setenv("IDKARR_ADMIN_PASSWORD", "chosen-pass-123")
    call_command("ensure_admin")
    assert not fresh.exists()
    assert authenticate(username="admin", password="chosen-pass-123") is not None


def test_an_install_with_users_gets_no_new_admin(fresh, django_user_model):
    django_user_model.objects.create_user("someone", password="x-long-password")
    call_command("ensure_admin")
    assert not fresh.exists()
    assert list(django_user_model.objects.values_list("username", flat=True)) == ["someone"]
