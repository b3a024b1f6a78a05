"""The starting list of harm categories (DOMAIN.md). Authorities can edit it in the admin."""

from django.db import migrations

HARM_CATEGORIES = [
    ("cse", "Child sexual exploitation"),
    ("cce", "Child criminal exploitation, including county lines"),
    ("violence", "Serious youth violence and weapons"),
    ("hsb", "Harmful sexual behaviour and peer-on-peer abuse"),
    ("relationship-abuse", "Teenage relationship abuse"),
    ("online", "Online harm"),
    ("radicalisation", "Radicalisation"),
    ("trafficking", "Trafficking and modern slavery"),
    ("missing", "Missing episodes"),
]


def add_categories(apps, schema_editor):
    HarmCategory = apps.get_model("cases", "HarmCategory")
    for order, (slug, name) in enumerate(HARM_CATEGORIES, start=1):
        HarmCategory.objects.update_or_create(
            slug=slug, defaults={"name": name, "display_order": order}
        )


def remove_categories(apps, schema_editor):
    HarmCategory = apps.get_model("cases", "HarmCategory")
    HarmCategory.objects.filter(slug__in=[slug for slug, _ in HARM_CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]

    operations = [migrations.RunPython(add_categories, remove_categories)]
