from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "idkarr.accounts"
    label = "accounts"
    verbose_name = "Accounts"
