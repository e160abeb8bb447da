from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from idkarr.accounts.models import ApiKey


class Command(BaseCommand):
    help = (
        "Issue a new API key for USERNAME and print it (it is stored hashed and never shown again)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, username, name, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}") from None
        _, raw = ApiKey.issue(user, name)
        self.stdout.write(raw)
