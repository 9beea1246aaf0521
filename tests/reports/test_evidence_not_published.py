"""Evidence files stay inside the service: the annual report, draft or published, names and links none of them."""

from django.core.files.base import ContentFile

from actions.models import Action, Evidence, ProgressUpdate
from reports import builder
from reports.models import AnnualReport
from tests.reports.data import fill_year


def test_the_report_shows_the_updates_but_none_of_their_evidence(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    fill_year(world, size=2)
    for update in ProgressUpdate.objects.filter(action__strategy__partnership=world.partnership)[:3]:
        evidence = Evidence(
            action=update.action,
            update=update,
            filename=f"Survivor case notes {update.pk}.pdf",
            kind="PDF",
            extension=".pdf",
            size=9,
        )
        evidence.file.save("upload", ContentFile(b"%PDF-1.4\n"), save=True)
    action = Action.objects.filter(strategy__partnership=world.partnership).first()
    report = AnnualReport.objects.create(partnership=world.partnership, year=2015)
    html = builder.build(report, draft=False, with_pdf=False).html
    assert f"Progress on {action.ref}" in html
    assert "Survivor case notes" not in html and "/evidence/" not in html
