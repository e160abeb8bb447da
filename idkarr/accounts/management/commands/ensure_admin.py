import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from idkarr.accounts.roles import ADMIN


class Command(BaseCommand):
    help = (
        "Create the first admin (IDKARR_ADMIN_USER, default 'admin') if no user exists yet. "
        "The password comes from IDKARR_ADMIN_PASSWORD, or is generated and printed once."
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
            self.stdout.write(
                self.style.WARNING(
                    f"Created admin user '{username}' with password: {password}\n"
                    "It is shown only this once; change it in the console under Users."
                )
            )
        else:
            self.stdout.write(
                f"Created admin user '{username}' (password from IDKARR_ADMIN_PASSWORD)."
            )
