from django.db import migrations, models
from django.db.models import F


def quantity_reason_from_status_reason(apps, schema_editor):
    """Before 0004 a zeroed quantity wrote `status_reason`; a listing still at 0 for stock keeps that reason."""
    Listing = apps.get_model("listings", "Listing")
    Listing.objects.filter(quantity=0, status_reason="out_of_stock").update(quantity_reason=F("status_reason"))


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0003_sync_engine"),
    ]

    operations = [
        migrations.AddField(
            model_name="listing",
            name="quantity_reason",
            field=models.CharField(
                blank=True,
                help_text="Why the quantity was last zeroed or restored (never the status).",
                max_length=40,
            ),
        ),
        migrations.AlterField(
            model_name="listing",
            name="status_reason",
            field=models.CharField(blank=True, help_text="Why the status last changed.", max_length=40),
        ),
        migrations.RunPython(quantity_reason_from_status_reason, migrations.RunPython.noop),
    ]
