from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "safeguarding.accounts"
    label = "accounts"
    verbose_name = "Organisations, teams and users"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import stamp_sign_in

        # Every sign-in (the sign-in page, the admin's, tests' force_login) starts the session's
        # idle and absolute clocks.
        user_logged_in.connect(stamp_sign_in, dispatch_uid="accounts.stamp_sign_in")

        # Nobody widens their own access, by any path (safeguarding/accounts/separation.py).
        from . import separation

        separation.connect()
