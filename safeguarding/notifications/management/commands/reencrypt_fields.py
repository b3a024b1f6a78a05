"""``python manage.py reencrypt_fields``: after putting a new key first in
``FIELD_ENCRYPTION_KEYS``, encrypt every stored secret again with it, so the old key can be
removed (safeguarding/encryption.py)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from safeguarding import encryption


class Command(BaseCommand):
    help = (
        "Encrypt every value of every encrypted field again with the first of "
        "FIELD_ENCRYPTION_KEYS (each decrypted with whichever key opens it)."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            changed = encryption.reencrypt_all()
        fields = ", ".join(
            f"{model._meta.label}.{field.name}" for model, field in encryption.encrypted_fields()
        )
        self.stdout.write(f"{changed} value(s) encrypted again with the first key ({fields}).")
