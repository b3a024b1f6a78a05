"""Fields encrypted at rest with Fernet, keys from the environment.

``FIELD_ENCRYPTION_KEYS`` (settings; from the environment, comma-separated) is a list of Fernet
keys (``Fernet.generate_key()``: 32 random bytes, url-safe base64). The **first** encrypts;
every key decrypts (``cryptography``'s ``MultiFernet``), so a key is rotated by putting a new
one first, running ``python manage.py reencrypt_fields`` (every encrypted value is decrypted
with whichever key opens it and encrypted again with the first), then removing the old key.
Production refuses to start without the setting (and ``manage.py check`` refuses the
development key or a malformed one: :func:`check_keys`); development has a fixed key that is
published in settings.py and so is no secret (:data:`DEVELOPMENT_KEY`).

:class:`EncryptedTextField` is a text column that holds a Fernet token (the value encrypted,
authenticated and timestamped). Python code sees the plain value; the database, its backups
and anyone reading them see only the token. A blank value is stored blank (it holds nothing).
A token that no key opens is an error (:class:`UndecryptableValue`), never passed on as if it
were the value. Encrypted columns cannot be searched or filtered on by value.

We do not use django-fernet-encrypted-fields (checked at 0.4.0): it derives its keys from
``SECRET_KEY`` (rotating the session key would lose the data) and returns the stored token
unchanged when no key opens it, so a wrong key would sign webhooks with the ciphertext.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models

#: Development and tests only: the fixed, published default of settings.py. Production must set
#: its own (settings.py requires FIELD_ENCRYPTION_KEYS in production; this key is refused).
DEVELOPMENT_KEY = "ZGV2ZWxvcG1lbnQtb25seS1ub3QtYS1zZWNyZXQtISE="


class UndecryptableValue(Exception):
    """A stored value that none of ``FIELD_ENCRYPTION_KEYS`` decrypts (a key was removed too
    early, or the column was written around the field)."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must hold at least one Fernet key.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as e:
        raise ImproperlyConfigured(
            "Each of FIELD_ENCRYPTION_KEYS must be a Fernet key (32 url-safe base64-encoded "
            "bytes, e.g. from `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`)."
        ) from e


@checks.register(checks.Tags.security, deploy=False)
def check_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """``manage.py check``: the keys are Fernet keys, and production does not use the
    development key."""
    errors = []
    try:
        fernet()
    except ImproperlyConfigured as e:
        errors.append(checks.Error(str(e), id="encryption.E001"))
    if settings.PRODUCTION and DEVELOPMENT_KEY in settings.FIELD_ENCRYPTION_KEYS:
        errors.append(
            checks.Error(
                "FIELD_ENCRYPTION_KEYS holds the development key, which is published: set a key "
                "of your own.",
                id="encryption.E002",
            )
        )
    return errors


def fernet() -> MultiFernet:
    """The keys in force: the first encrypts, all decrypt."""
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableValue(
            "A stored encrypted value cannot be decrypted with FIELD_ENCRYPTION_KEYS."
        ) from None


def rotate(token: str) -> str:
    """The same value encrypted with the first key (from whichever key opens it)."""
    if not token:
        return ""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableValue(
            "A stored encrypted value cannot be decrypted with FIELD_ENCRYPTION_KEYS."
        ) from None


class EncryptedTextField(models.TextField):
    """Text encrypted at rest (see the module docstring). Not for lookups or ordering."""

    description = "Text encrypted with Fernet"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value


def encrypted_fields():
    """Every (model, field) that is encrypted at rest."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


def _stored(model, name: str):
    """(pk, stored text) of the non-blank values of a column, read around the field (the
    stored token, or plain text before a migration encrypts it)."""
    rows = model._base_manager.exclude(**{f"{name}__isnull": True})
    raw = models.functions.Cast(name, output_field=models.TextField())
    return rows.annotate(_stored=raw).exclude(_stored="").values_list("pk", "_stored").iterator()


def _store(model, name: str, pk, text: str) -> None:
    """Write ``text`` to the column as it is (not through the field, which would encrypt)."""
    model._base_manager.filter(pk=pk).update(
        **{name: models.Value(text, output_field=models.TextField())}
    )


def recode(model, names, change) -> int:
    """Apply ``change`` (:func:`encrypt`, :func:`decrypt` or :func:`rotate`) to every stored
    value of the columns ``names`` of ``model``; the number of values rewritten. Used by the
    migrations that encrypt a column and by ``manage.py reencrypt_fields``."""
    changed = 0
    for name in names:
        for pk, stored in list(_stored(model, name)):
            _store(model, name, pk, change(stored))
            changed += 1
    return changed


def reencrypt_all() -> int:
    """Encrypt every stored value of every encrypted field again with the first key (each
    decrypted with whichever key opens it); the number of values rewritten."""
    return sum(recode(model, [field.name], rotate) for model, field in encrypted_fields())


def migration(app_label: str, model_name: str, *names: str):
    """A ``RunPython`` that encrypts the stored values of columns just made encrypted (and
    decrypts them when the migration is reversed)."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        recode(apps.get_model(app_label, model_name), names, encrypt)

    def backwards(apps, schema_editor):
        recode(apps.get_model(app_label, model_name), names, decrypt)

    return migrations.RunPython(forwards, backwards)
