import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from idkarr.accounts.roles import ADMIN

PASSWORD_FILE = "initial-admin-password"  # noqa: S105 - a file name, not a password


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by this user only (0600 from the start)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text + "\n")
    path.chmod(0o600)  # an older file may have had other modes


class Command(BaseCommand):
    help = (
        "Create the first admin (IDKARR_ADMIN_USER, default 'admin') if no user exists yet. "
        "The password comes from IDKARR_ADMIN_PASSWORD, or is generated and written to "
        f"{PASSWORD_FILE} in the data directory (never printed: output often ends in logs)."
    )

    def handle(self, **options):
        from django.contrib.auth.models import Group

        User = get_user_model()
        if User.objects.exists():
            return
        username = os.environ.get("IDKARR_ADMIN_USER") or "admin"
        password = os.environ.get("IDKARR_ADMIN_PASSWORD")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(username=username, email="", password=password)
        user.groups.add(Group.objects.get(name=ADMIN))
        if generated:
            path = Path(settings.DATA_DIR) / PASSWORD_FILE
            write_private(path, password)
            self.stdout.write(
                self.style.WARNING(
                    f"Created admin user '{username}'. Its generated password is in {path} "
                    "(readable only by you): sign in, change it under Users, then delete the file."
                )
            )
        else:
            self.stdout.write(
                f"Created admin user '{username}' (password from IDKARR_ADMIN_PASSWORD)."
            )
