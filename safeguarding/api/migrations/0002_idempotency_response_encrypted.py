"""Stored API answers encrypted at rest: the answer to registering a webhook endpoint or
rotating its secret carries the signing secret, kept 24 hours for retries."""

from django.db import migrations

import safeguarding.encryption


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="idempotencykey",
            name="response_body",
            field=safeguarding.encryption.EncryptedTextField(blank=True),
        ),
        safeguarding.encryption.migration("api", "IdempotencyKey", "response_body"),
    ]
