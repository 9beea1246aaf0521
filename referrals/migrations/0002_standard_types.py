from django.db import migrations

from referrals.standard import ABUSE_TYPES, JUSTICE_MEASURES


def create(apps, schema_editor):
    AbuseType = apps.get_model("referrals", "AbuseType")
    JusticeMeasure = apps.get_model("referrals", "JusticeMeasure")
    for order, name in enumerate(ABUSE_TYPES, start=1):
        AbuseType.objects.update_or_create(partnership=None, name=name, defaults={"display_order": order})
    for order, (name, section, rate_label) in enumerate(JUSTICE_MEASURES, start=1):
        JusticeMeasure.objects.update_or_create(
            partnership=None,
            name=name,
            defaults={"section": section, "display_order": order, "rate_label": rate_label},
        )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
