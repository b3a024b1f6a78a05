from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "safeguarding.accounts"
    label = "accounts"
    verbose_name = "Organisations, teams and users"

    def ready(self):
        # Nobody widens their own access, by any path (safeguarding/accounts/separation.py).
        from . import separation

        separation.connect()
