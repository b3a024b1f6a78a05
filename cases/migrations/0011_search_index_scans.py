"""Search reads indexes at a borough's scale (issue 10).

* Dates of birth and postcodes (as searched: capitals, no spaces) get b-tree indexes.
* The trigram GIN indexes of 0004 stop deferring inserts (``fastupdate = off``). With
  fastupdate, new rows wait in an unsorted *pending list* until a vacuum (or 4 MB of them)
  moves them into the index; every search reads the whole list, and the planner, pricing that
  in, scans the table instead. Names are added a few a day and searched all day: paying for
  the index at insert is the right way round. The pending lists already there are emptied.
"""

import django.db.models.functions.text
from django.db import migrations, models

TRIGRAM_INDEXES = [
    "cases_youngperson_given_name_trgm",
    "cases_youngperson_family_name_trgm",
    "cases_youngperson_preferred_name_trgm",
    "cases_alias_name_trgm",
    "contexts_context_name_trgm",
    "peers_peergroup_name_trgm",
]


def no_pending_lists(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in TRIGRAM_INDEXES:
        schema_editor.execute(f"ALTER INDEX {index} SET (fastupdate = off)")
        schema_editor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])


def pending_lists(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in TRIGRAM_INDEXES:
        schema_editor.execute(f"ALTER INDEX {index} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_borough_figures"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="youngperson",
            index=models.Index(fields=["date_of_birth"], name="cases_yp_date_of_birth"),
        ),
        migrations.AddIndex(
            model_name="youngperson",
            index=models.Index(
                django.db.models.functions.text.Replace(
                    django.db.models.functions.text.Upper("postcode"),
                    models.Value(" "),
                    models.Value(""),
                ),
                name="cases_yp_compact_postcode",
            ),
        ),
        migrations.RunPython(no_pending_lists, pending_lists),
    ]
