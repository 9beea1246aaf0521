from django.db import migrations

from referrals import standard


def create(apps, schema_editor):
    standard.ensure(apps.get_model("referrals", "AbuseType"), apps.get_model("referrals", "JusticeMeasure"))


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
