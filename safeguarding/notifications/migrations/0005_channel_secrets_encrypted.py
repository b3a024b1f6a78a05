"""Webhook signing secrets encrypted at rest (safeguarding/encryption.py), and when each was
made (the admin says "set on …" instead of showing it)."""

from datetime import timedelta

from django.db import migrations, models

import safeguarding.encryption


def secret_set_at(apps, schema_editor):
    Channel = apps.get_model("notifications", "Channel")
    for channel in Channel.objects.filter(kind="webhook"):
        rotated = channel.previous_secret_expires_at
        channel.secret_set_at = rotated - timedelta(hours=24) if rotated else channel.created_at
        channel.save(update_fields=["secret_set_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_channel_previous_secret"),
    ]

    operations = [
        migrations.AddField(
            model_name="channel",
            name="secret_set_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When the signing secret was made.",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="channel",
            name="previous_secret",
            field=safeguarding.encryption.EncryptedTextField(blank=True, editable=False),
        ),
        migrations.AlterField(
            model_name="channel",
            name="secret",
            field=safeguarding.encryption.EncryptedTextField(
                blank=True,
                editable=False,
                help_text="Signs every webhook (Standard Webhooks); given once to the "
                "receiving system.",
            ),
        ),
        safeguarding.encryption.migration("notifications", "Channel", "secret", "previous_secret"),
        migrations.RunPython(secret_set_at, migrations.RunPython.noop),
    ]
